// What the chart repeats from the code must agree with it: the alert rules use only metrics
// the operator registers, and the region the chart accepts is the region the CRD accepts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { AWS_REGION_PATTERN } from '../../../src/api/v1alpha1/spec.ts';

const chartDir = join(repoRoot, 'charts', 'costguard');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Metric names registered in src/: a quoted `costguard_…` literal (comments do not count). */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](costguard_[a-z0-9_]+)['"`]/g)) names.add(m[1]!);
  }
  return names;
}

describe('chart sources of truth', () => {
  it('alerts only on costguard_* metrics that the operator registers', () => {
    const rule = readFileSync(join(chartDir, 'templates', 'prometheusrule.yaml'), 'utf8');
    const used = new Set([...rule.matchAll(/\b(costguard_[a-z0-9_]+)\b/g)].map((m) => m[1]!));
    assert.ok(used.size > 0, 'the rule uses costguard_* metrics');
    const registered = registeredMetrics();
    assert.deepEqual([...used].filter((name) => !registered.has(name)), []);
  });

  it('accepts the same AWS regions in values.schema.json as the CRD (AWS_REGION_PATTERN)', () => {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as { properties: { aws: { properties: { region: { pattern: string } } } } };
    // The chart also accepts "" (no region: the pod's environment decides).
    assert.equal(schema.properties.aws.properties.region.pattern, `^$|${AWS_REGION_PATTERN}`);
  });
});
