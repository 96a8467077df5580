// Building blocks that TypeBox lacks in a form Kubernetes accepts as a *structural* schema.
// TypeBox unions emit anyOf/const and records emit patternProperties, both of which the API
// server rejects, so enums, maps and quantities are built here as plain OpenAPI nodes with a
// custom TypeBox kind that keeps runtime validation (Value.Check/Errors) working.
//
// Anything only TypeScript needs (the JS twin of a CEL rule, the docs' type label) hangs off a
// symbol key: JSON serialisation drops symbols, so it can never leak into the emitted CRD.
import { FormatRegistry, Kind, Type, TypeRegistry } from '@sinclair/typebox';
import type { SchemaOptions, Static, TSchema, TUnsafe } from '@sinclair/typebox';

/** The list of {@link Rule}s attached to a schema node. */
export const Rules = Symbol.for('costguard.io/rules');
/** A friendlier type name for the docs ("duration", "decimal", "quantity"). */
export const DocType = Symbol.for('costguard.io/doc-type');

/**
 * A validation rule with two implementations that must agree: `rule` is the CEL the API server
 * runs; `check` is the same predicate in TypeScript for validateSpec. A rule without `rule` is
 * a semantic check only the operator runs (CEL cannot parse durations, for example).
 */
export interface Rule<T> {
  rule?: string;
  message: string;
  /** Relative path (".fleetMax") so the API server names the offending field. */
  fieldPath?: string;
  check: (self: T) => boolean;
}

export interface CelValidation {
  rule: string;
  message: string;
  fieldPath?: string;
}

type Annotated = TSchema & { [Rules]?: Rule<never>[]; 'x-kubernetes-validations'?: CelValidation[] };

/** Attaches rules to a schema node; CEL ones also become x-kubernetes-validations. */
export function withRules<S extends TSchema>(schema: S, rules: Rule<Static<S>>[]): S {
  const previous = (schema as Annotated)[Rules] ?? [];
  const all = [...previous, ...(rules as Rule<never>[])];
  const cel = all.filter((r) => r.rule !== undefined).map(toCel);
  const next: Annotated = { ...schema, [Rules]: all };
  if (cel.length > 0) next['x-kubernetes-validations'] = cel;
  return next as S;
}

function toCel(r: Rule<never>): CelValidation {
  const out: CelValidation = { rule: r.rule ?? '', message: r.message };
  if (r.fieldPath !== undefined) out.fieldPath = r.fieldPath;
  return out;
}

export function rulesOf(schema: TSchema): readonly Rule<unknown>[] {
  return ((schema as Annotated)[Rules] ?? []) as Rule<unknown>[];
}

// --- string enums -------------------------------------------------------------------------
TypeRegistry.Set<{ enum: string[] }>(
  'StringEnum',
  (schema, value) => typeof value === 'string' && schema.enum.includes(value),
);

/** `{type: string, enum: [...]}`, statically the union of the values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] });
}

// --- int-or-string quantities -------------------------------------------------------------
/** resource.Quantity without a sign: ceilings are never negative. */
export const QUANTITY_PATTERN =
  '^(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const quantityRe = new RegExp(QUANTITY_PATTERN);

TypeRegistry.Set('Quantity', (_schema, value) =>
  typeof value === 'string' ? value.length <= 64 && quantityRe.test(value) : Number.isInteger(value),
);

/** A Kubernetes quantity (`400`, `"500m"`, `"1600Gi"`): x-kubernetes-int-or-string plus the pattern. */
export function Quantity(options: SchemaOptions): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({
    ...options,
    [Kind]: 'Quantity',
    [DocType]: 'quantity',
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    // Without it the API server estimates CEL rules on quantities as unbounded strings.
    maxLength: 64,
  });
}

// --- maps ---------------------------------------------------------------------------------
/** `{type: object, additionalProperties: value}`: a map with free keys, typed values. */
export function MapOf<V extends TSchema>(
  value: V,
  options: SchemaOptions & { maxProperties: number; minProperties?: number },
): TUnsafe<Record<string, Static<V>>> {
  return Type.Unsafe<Record<string, Static<V>>>(Type.Object({}, { ...options, additionalProperties: value }));
}

// --- list-maps ----------------------------------------------------------------------------
/** An array merged by key under server-side apply, so two managers can own different entries. */
export function ListMap<T extends TSchema>(
  items: T,
  keys: readonly string[],
  options: SchemaOptions & { maxItems: number },
): ReturnType<typeof Type.Array<T>> {
  return Type.Array(items, {
    ...options,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [...keys],
  });
}

// --- formats ------------------------------------------------------------------------------
// metav1.Time serialises as RFC 3339; TypeBox refuses unknown formats, so register it once.
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => rfc3339.test(value) && !Number.isNaN(Date.parse(value)));
}
