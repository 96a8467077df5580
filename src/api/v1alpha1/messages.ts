// TypeBox error messages reworded the way the API server words them, so a user sees one
// vocabulary whether validateSpec or kubectl rejected the spec.
import { ValueErrorType } from '@sinclair/typebox/errors';
import type { ValueError } from '@sinclair/typebox/errors';

type Bounds = {
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  enum?: string[];
};

type Describe = (schema: Bounds, value: unknown) => string;

const byType = new Map<ValueErrorType, Describe>([
  [ValueErrorType.ObjectRequiredProperty, () => 'Required value'],
  [ValueErrorType.StringPattern, (s) => `should match '${s.pattern}'`],
  [ValueErrorType.StringMinLength, (s) => `should be at least ${s.minLength} chars long`],
  [ValueErrorType.StringMaxLength, (s) => `may not be longer than ${s.maxLength}`],
  [ValueErrorType.IntegerMinimum, (s) => `should be greater than or equal to ${s.minimum}`],
  [ValueErrorType.IntegerMaximum, (s) => `should be less than or equal to ${s.maximum}`],
  [ValueErrorType.Integer, () => 'must be an integer'],
  [ValueErrorType.String, () => 'must be a string'],
  [ValueErrorType.Boolean, () => 'must be a boolean'],
  [ValueErrorType.Object, () => 'must be an object'],
  [ValueErrorType.Array, () => 'must be an array'],
  [ValueErrorType.ArrayMinItems, (s) => `should have at least ${s.minItems} items`],
  [ValueErrorType.ArrayMaxItems, (s) => `must have at most ${s.maxItems} items`],
  [ValueErrorType.ObjectMinProperties, (s) => `should have at least ${s.minProperties} properties`],
  [ValueErrorType.ObjectMaxProperties, (s) => `should have at most ${s.maxProperties} properties`],
  [ValueErrorType.Kind, describeKind],
]);

/** Custom kinds (string enums, quantities) fail as "Kind"; say what was expected instead. */
function describeKind(schema: Bounds, value: unknown): string {
  if (schema.enum !== undefined) {
    const supported = schema.enum.map((v) => JSON.stringify(v)).join(', ');
    return `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`;
  }
  return `must be an integer or a quantity string such as 400, 500m or 1600Gi (pattern '${schema.pattern}')`;
}

export function describeError(error: ValueError): string {
  // A missing field is first visited as `undefined` and fails its type check: say "Required".
  if (error.value === undefined) return 'Required value';
  const describe = byType.get(error.type);
  return describe === undefined ? error.message : describe(error.schema as Bounds, error.value);
}
