// The emitted openAPIV3Schema must be a Kubernetes *structural* schema with bounded CEL cost.
// The API server is the final judge (see the integration tests); this checker gives the reason
// in one line and runs without a cluster.
import assert from 'node:assert/strict';
import { buildCrd, CONDITION_TYPES, PRINTER_COLUMNS } from '../../../src/api/v1alpha1/index.ts';

type Schema = { [key: string]: unknown };

interface Visit {
  path: string;
  node: Schema;
  /** A field (property or map value), as opposed to array items or the root. */
  isField: boolean;
}

const crd = buildCrd() as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
const root = crd.spec.versions[0]?.schema.openAPIV3Schema ?? {};

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every schema node with its path, root first. */
function* nodes(node: Schema, path = '', isField = false): Generator<Visit> {
  yield { path, node, isField };
  const props = node.properties;
  if (isSchema(props)) {
    for (const [key, child] of Object.entries(props)) yield* nodes(child as Schema, `${path}.${key}`, true);
  }
  if (isSchema(node.additionalProperties)) yield* nodes(node.additionalProperties, `${path}.<key>`, true);
  if (isSchema(node.items)) yield* nodes(node.items, `${path}[]`, false);
}

const all = [...nodes(root)];
const inSpec = all.filter((v) => v.path.startsWith('.spec'));

const FORBIDDEN = ['$id', '$schema', '$ref', 'const', 'oneOf', 'allOf', 'not', 'patternProperties', 'definitions', '$defs', 'additionalItems', 'nullable'];

function isIntOrString(node: Schema): boolean {
  return node['x-kubernetes-int-or-string'] === true;
}

function defaultViolations(node: Schema): string[] {
  const value = node.default;
  const out: string[] = [];
  if (Array.isArray(node.enum) && !node.enum.includes(value)) out.push('default not in enum');
  if (typeof node.pattern === 'string' && typeof value === 'string' && !new RegExp(node.pattern).test(value)) out.push('default does not match pattern');
  if (typeof node.minimum === 'number' && typeof value === 'number' && value < node.minimum) out.push('default below minimum');
  if (typeof node.maximum === 'number' && typeof value === 'number' && value > node.maximum) out.push('default above maximum');
  return out;
}

describe('api/v1alpha1 CRD schema', () => {
  it('gives every node a type (or int-or-string)', () => {
    const untyped = all.filter(({ node }) => typeof node.type !== 'string' && !isIntOrString(node) && node['x-kubernetes-preserve-unknown-fields'] !== true);
    assert.deepEqual(untyped.map((v) => v.path), []);
  });

  it('uses none of the JSON Schema keywords Kubernetes forbids', () => {
    const bad = all.flatMap(({ path, node }) => FORBIDDEN.filter((k) => k in node).map((k) => `${path}: ${k}`));
    assert.deepEqual(bad, []);
  });

  it('uses anyOf only for the int-or-string form', () => {
    const bad = all.filter(({ node }) => 'anyOf' in node && !(isIntOrString(node) && JSON.stringify(node.anyOf) === '[{"type":"integer"},{"type":"string"}]'));
    assert.deepEqual(bad.map((v) => v.path), []);
  });

  it('never sets additionalProperties: false, nor properties beside additionalProperties', () => {
    const bad = all.filter(({ node }) => node.additionalProperties === false || ('additionalProperties' in node && 'properties' in node));
    assert.deepEqual(bad.map((v) => v.path), []);
  });

  it('does not use preserve-unknown-fields: every status field is typed', () => {
    assert.deepEqual(all.filter(({ node }) => 'x-kubernetes-preserve-unknown-fields' in node).map((v) => v.path), []);
  });

  it('describes every field, so kubectl explain is useful', () => {
    // metadata is the one exception: the API server forbids anything but its type there.
    const bare = all.filter(({ path, isField, node }) => isField && path !== '.metadata' && (typeof node.description !== 'string' || node.description.length < 3));
    assert.deepEqual(bare.map((v) => v.path), []);
  });

  it('bounds every string, list and map in spec, so CEL cost estimation passes', () => {
    const unbounded = inSpec.filter(({ node }) =>
      ((node.type === 'string' || isIntOrString(node)) && node.maxLength === undefined && node.enum === undefined) ||
      (node.type === 'array' && node.maxItems === undefined) ||
      (isSchema(node.additionalProperties) && node.maxProperties === undefined));
    assert.deepEqual(unbounded.map((v) => v.path), []);
  });

  it('gives every CEL rule a message and a relative fieldPath', () => {
    const rules = all.flatMap(({ path, node }) => ((node['x-kubernetes-validations'] ?? []) as Schema[]).map((r): Schema => ({ ...r, path })));
    assert.ok(rules.length >= 8, `only ${rules.length} CEL rules`);
    for (const r of rules) {
      const at = String(r.path);
      assert.equal(typeof r.rule, 'string', at);
      assert.ok(typeof r.message === 'string' && r.message.length > 0, `${at}: rule without message`);
      if ('fieldPath' in r) assert.match(String(r.fieldPath), /^\.[a-zA-Z]/, at);
    }
  });

  it('keys list-maps by required or defaulted scalar fields', () => {
    for (const { path, node } of all.filter((v) => v.node['x-kubernetes-list-type'] === 'map')) {
      const items = node.items as Schema;
      const required = (items.required ?? []) as string[];
      for (const key of node['x-kubernetes-list-map-keys'] as string[]) {
        const prop = (items.properties as Record<string, Schema>)[key];
        assert.ok(prop, `${path}: list-map key ${key} is not a property`);
        assert.ok(['string', 'integer'].includes(String(prop.type)), `${path}: key ${key} is not scalar`);
        assert.ok(required.includes(key) || 'default' in prop, `${path}: key ${key} neither required nor defaulted`);
      }
    }
  });

  it('keys conditions by type, like metav1.Condition', () => {
    const conditions = all.find((v) => v.path === '.status.conditions')?.node;
    assert.equal(conditions?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
    assert.deepEqual((conditions.items as Schema).required, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
    assert.equal(CONDITION_TYPES.length, 13);
  });

  it('has defaults that satisfy their own constraints, and never requires a defaulted field', () => {
    const bad = all.flatMap(({ path, node }) => ('default' in node ? defaultViolations(node).map((m) => `${path}: ${m}`) : []));
    assert.deepEqual(bad, []);
    for (const { path, node } of all) {
      const props = (node.properties ?? {}) as Record<string, Schema>;
      for (const key of (node.required ?? []) as string[]) assert.ok(!('default' in (props[key] ?? {})), `${path}.${key}`);
    }
  });

  it('leaves metadata to the API server', () => {
    assert.deepEqual((root.properties as Record<string, Schema>).metadata, { type: 'object' });
  });

  it('points every printer column at a field that exists', () => {
    const paths = new Set(all.map((v) => v.path));
    for (const column of PRINTER_COLUMNS.filter((c) => !c.jsonPath.startsWith('.metadata'))) {
      const field = column.jsonPath.replace(/\[\?\(.*\)\]/, '[]');
      assert.ok(paths.has(field), `${column.name}: ${column.jsonPath}`);
    }
  });

  it('declares the status subresource, short name and category', () => {
    const spec = (buildCrd() as { spec: Schema }).spec;
    assert.equal(spec.scope, 'Namespaced');
    assert.deepEqual((spec.names as Schema).shortNames, ['cg']);
    assert.deepEqual((spec.names as Schema).categories, ['costguard']);
    assert.deepEqual((spec.versions as Schema[])[0]?.subresources, { status: {} });
  });
});
