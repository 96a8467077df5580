import assert from 'node:assert/strict';
import { CostGuardStatus } from '../../../src/api/v1alpha1/index.ts';
import { capGroups, MAX_TARGETS } from '../../../src/controllers/shared/target-cap.ts';

/** maxItems of a status list, as the CRD publishes it. */
const maxItems = (schema: unknown): number => (schema as { maxItems: number }).maxItems;

describe('the per-guard target cap', () => {
  it('fits every status list a target costs an entry in, so a status patch within the cap is never refused', () => {
    const p = CostGuardStatus.properties;
    assert.equal(maxItems(p.scalingGroups), MAX_TARGETS);
    assert.ok(maxItems(p.brake.properties.saved) >= MAX_TARGETS, 'Freeze saves one original per target');
    assert.ok(maxItems(p.holds) >= 3 * MAX_TARGETS, 'runaway, breaker and cost may each hold every target');
  });

  it('gives groups what workloads and NodePools leave, never less than nothing', () => {
    assert.deepEqual(capGroups(['a', 'b', 'c'], MAX_TARGETS - 2), { kept: ['a', 'b'], overflow: ['c'] });
    assert.deepEqual(capGroups(['a'], MAX_TARGETS + 5), { kept: [], overflow: ['a'] });
  });
});
