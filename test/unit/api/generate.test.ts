// The committed CRD and reference must be exactly what the schema generates, so a schema
// change without `make generate` fails here (and in make verify) rather than in a cluster.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { buildCrd } from '../../../src/api/v1alpha1/index.ts';
import {
  CHART_CRD_FILE,
  CRD_FILE,
  GENERATED_HEADER,
  REFERENCE_FILE,
  renderGeneratedFiles,
} from '../../../src/api/v1alpha1/render.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

describe('api/v1alpha1 generate', () => {
  it('renders byte-identical output on every run', () => {
    assert.deepEqual(renderGeneratedFiles(), renderGeneratedFiles());
  });

  it('renders the same bytes in a fresh process (no dependence on module state)', function () {
    this.timeout(20_000);
    const script = "import { renderGeneratedFiles } from './src/api/v1alpha1/render.ts'; process.stdout.write(JSON.stringify(renderGeneratedFiles()));";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), renderGeneratedFiles());
  });

  for (const [path, content] of Object.entries(renderGeneratedFiles())) {
    it(`committed ${path} matches the schema (run make generate if not)`, () => {
      assert.equal(read(path), content);
    });
  }

  it('ships the same CRD to kubectl users and to the Helm chart', () => {
    assert.equal(read(CHART_CRD_FILE), read(CRD_FILE));
  });

  it('marks generated files as generated', () => {
    assert.ok(read(CRD_FILE).startsWith(GENERATED_HEADER));
    assert.match(read(REFERENCE_FILE), /^<!-- generated from src\/api\/v1alpha1 by make generate; do not edit -->/);
  });

  it('writes YAML that parses back to the CRD object', () => {
    assert.deepEqual(parse(read(CRD_FILE)), buildCrd());
  });

  it('documents every spec and status field in the reference', () => {
    const reference = read(REFERENCE_FILE);
    for (const path of ['spec.scalingGroups[].maxScaleOut.per', 'spec.cost.budget.notifications[].percent', 'status.runaway.evidence', 'status.conditions[].lastTransitionTime']) {
      assert.ok(reference.includes(`\`${path}\``), `${path} missing from ${REFERENCE_FILE}`);
    }
  });
});
