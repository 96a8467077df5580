// Every sample in examples/ must be a valid CostGuard that explains itself.
import assert from 'node:assert/strict';
import { API_VERSION, validateSpec } from '../../../src/api/v1alpha1/index.ts';
import { exampleGuards } from './fixtures.ts';

describe('api/v1alpha1 examples', () => {
  const guards = exampleGuards();

  it('includes the three reference samples', () => {
    const files = guards.map((g) => g.file);
    for (const f of ['orders-worker-guard.yaml', 'karpenter-nodepool-guard.yaml', 'dryrun-audit-guard.yaml']) assert.ok(files.includes(f), f);
  });

  for (const { file, text, object } of guards) {
    describe(file, () => {
      it('starts with a comment saying what it guards', () => {
        assert.match(text, /^# \S.{20,}/);
      });

      it('is a CostGuard without a namespace (applied with -n)', () => {
        assert.equal(object.apiVersion, API_VERSION);
        const metadata = object.metadata as Record<string, unknown>;
        assert.equal(typeof metadata.name, 'string');
        assert.equal(metadata.namespace, undefined);
      });

      it('passes validateSpec', () => {
        assert.deepEqual(validateSpec(object.spec), []);
      });
    });
  }
});
