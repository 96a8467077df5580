// validateSpec: the API server's verdict on a spec, computed locally, plus the semantic checks
// that only TypeScript can make. The operator uses it to refuse a spec it cannot act on
// (the API server may be older, or the object may predate a rule); the CLI and tests use it to
// explain a spec before it is applied. Paths name fields the way the API server does
// ("spec.scalingGroups[0].maxSize") so one message format serves both.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { rulesOf } from './kit.ts';
import { CostGuardSpec } from './spec.ts';
import { describeError } from './messages.ts';

export interface ValidationIssue {
  /** The field, as the API server names it: spec.scalingGroups[0].maxSize */
  path: string;
  message: string;
}

type Node = TSchema & {
  type?: string;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-int-or-string'?: boolean;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The spec with schema defaults filled in, as the API server stores it. Does not mutate. */
export function withDefaults(spec: unknown): CostGuardSpec {
  return Value.Default(CostGuardSpec, structuredClone(spec)) as CostGuardSpec;
}

/** Every problem with a spec, or [] when the API server and the operator would both accept it. */
export function validateSpec(spec: unknown): ValidationIssue[] {
  return validateAgainst(CostGuardSpec, isObject(spec) ? withDefaults(spec) : spec, 'spec');
}

/** Validates an already-defaulted value against any schema node of this API. */
export function validateAgainst(schema: TSchema, value: unknown, root: string): ValidationIssue[] {
  const issues = [...structuralIssues(schema, value, root), ...walk(schema, value, root)];
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// --- what the OpenAPI schema itself says (types, patterns, bounds, enums, required) ---------
function structuralIssues(schema: TSchema, value: unknown, root: string): ValidationIssue[] {
  return [...Value.Errors(schema, value)].map((e) => ({
    path: pointerToPath(schema as Node, value, e.path, root),
    message: describeError(e),
  }));
}

/** "/scalingGroups/0/tagSelector/app" → "spec.scalingGroups[0].tagSelector[app]" */
function pointerToPath(schema: Node, value: unknown, pointer: string, root: string): string {
  let path = root;
  let node: Node | undefined = schema;
  let current = value;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step = stepInto(node, current, seg);
    path += step.suffix;
    node = step.node;
    current = isObject(current) || Array.isArray(current) ? (current as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}

function stepInto(node: Node | undefined, value: unknown, seg: string): { suffix: string; node: Node | undefined } {
  if (Array.isArray(value)) return { suffix: `[${seg}]`, node: node?.items };
  const prop = node?.properties?.[seg];
  if (prop !== undefined) return { suffix: `.${seg}`, node: prop };
  const extra = node?.additionalProperties;
  if (typeof extra === 'object') return { suffix: `[${seg}]`, node: extra };
  return { suffix: `.${seg}`, node: undefined };
}

// --- what only code says: CEL twins, semantic checks, list-map keys, unknown fields -------
function* walk(schema: Node, value: unknown, path: string): Generator<ValidationIssue> {
  if (!hasSchemaType(schema, value)) return;
  yield* ruleIssues(schema, value, path);
  if (Array.isArray(value)) {
    yield* duplicateKeyIssues(schema, value, path);
    for (const [i, item] of value.entries()) {
      if (schema.items) yield* walk(schema.items, item, `${path}[${i}]`);
    }
  } else if (isObject(value)) {
    yield* walkObject(schema, value, path);
  }
}

function* walkObject(schema: Node, value: Record<string, unknown>, path: string): Generator<ValidationIssue> {
  const extra = schema.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    const prop = schema.properties?.[key];
    if (prop !== undefined) yield* walk(prop, child, `${path}.${key}`);
    else if (typeof extra === 'object') yield* walk(extra, child, `${path}[${key}]`);
    else yield { path: `${path}.${key}`, message: 'unknown field' };
  }
}

/** Rules assume their node has the right JSON type; a wrong type is already reported. */
function hasSchemaType(schema: Node, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === schema.type;
  }
}

function* ruleIssues(schema: Node, value: unknown, path: string): Generator<ValidationIssue> {
  for (const rule of rulesOf(schema)) {
    if (!passes(rule.check, value)) yield { path: path + (rule.fieldPath ?? ''), message: rule.message };
  }
}

/** A check that throws met a value CEL would also have failed on, and that is reported elsewhere. */
function passes(check: (self: unknown) => boolean, value: unknown): boolean {
  try {
    return check(value);
  } catch {
    return true;
  }
}

/** Worded like server-side apply, which refuses a list-map with a repeated key before validation. */
function* duplicateKeyIssues(schema: Node, items: unknown[], path: string): Generator<ValidationIssue> {
  const keys = schema['x-kubernetes-list-map-keys'];
  if (keys === undefined) return;
  const seen = new Set<string>();
  for (const item of items) {
    if (!isObject(item)) continue;
    const key = keys.map((k) => `${k}=${JSON.stringify(item[k])}`).join(',');
    if (seen.has(key)) yield { path, message: `duplicate entries for key [${key}]` };
    seen.add(key);
  }
}
