// The chart's values, its schema and docs/helm-values.md describe the same keys: every key in
// the schema has a default in values.yaml and a row in the reference with the schema's type and
// the real default, and nothing is documented or defaulted that the schema does not know.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { defaultCell, referenceRows, resolve, schemaKeys, typeName, valueAt, valueKeys, type SchemaNode } from './values-reference.ts';

const chartDir = join(repoRoot, 'charts', 'costguard');
const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as SchemaNode;
const values: unknown = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
const reference = referenceRows(readFileSync(join(repoRoot, 'docs', 'helm-values.md'), 'utf8'));

/** Every schema node that declares properties, with its path. */
function objectNodes(node: SchemaNode, path = '(root)'): { path: string; node: SchemaNode }[] {
  const own = node.properties ? [{ path, node }] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([name, child]) =>
    objectNodes(resolve(schema, child), path === '(root)' ? name : `${path}.${name}`),
  );
  return [...own, ...children];
}

describe('chart values reference', () => {
  const keys = schemaKeys(schema);

  it('documents exactly the keys of values.schema.json in docs/helm-values.md', () => {
    assert.deepEqual(reference.map((r) => r.key).sort(), keys.map((k) => k.key).sort());
  });

  it('documents each key with the type the schema checks', () => {
    const documented = new Map(reference.map((r) => [r.key, r.type]));
    for (const k of keys) assert.equal(documented.get(k.key), k.type, `type of ${k.key}`);
  });

  it('documents each key with the default values.yaml really has', () => {
    const documented = new Map(reference.map((r) => [r.key, r.default]));
    for (const k of keys) assert.equal(documented.get(k.key), defaultCell(valueAt(values, k.key)), `default of ${k.key}`);
  });

  it('describes every key in a sentence', () => {
    for (const row of reference) assert.ok(row.description.length > 10, `description of ${row.key}`);
  });

  it('gives every schema key a default in values.yaml', () => {
    const missing = keys.filter((k) => valueAt(values, k.key) === undefined).map((k) => k.key);
    assert.deepEqual(missing, []);
  });

  it('has no value in values.yaml that the schema does not describe', () => {
    const leaves = keys.map((k) => k.key);
    const unknown = valueKeys(values).filter((path) => !leaves.some((leaf) => path === leaf || path.startsWith(`${leaf}.`)));
    assert.deepEqual(unknown, []);
  });

  it('closes every object of the schema (additionalProperties: false) so typos fail at any depth', () => {
    const open = objectNodes(schema).filter((o) => o.node.additionalProperties !== false).map((o) => o.path);
    assert.deepEqual(open, []);
  });

  it('is a draft-07 schema', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeName(schema, { $ref: '#/definitions/port' }), 'integer');
  });

  it('defaults the image tag to the package version through Chart.yaml appVersion', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string };
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart.apiVersion, 'v2');
    assert.equal(chart.appVersion, pkg.version);
    assert.equal(valueAt(values, 'image.tag'), '');
  });
});
