// A failed Enforce write: status keeps what was observed, and lastAction says the write was
// tried and failed, and why — never "(DryRun)".
import assert from 'node:assert/strict';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { failedText, withFailedWrites } from '../../../src/controllers/ceilings/failed-writes.ts';
import type { ObservedCeilings } from '../../../src/controllers/ceilings/observed.ts';
import { planCeilings } from '../../../src/controllers/ceilings/plan.ts';

const T0 = Date.UTC(2026, 10, 27, 12);

function group(name: string, overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize: 40, desiredCapacity: 2, inService: 2, instanceTypes: [], tags: {}, ...overrides };
}

describe('ceilings: a failed write', () => {
  const observed: ObservedCeilings = { groups: [{ spec: { name: 'a', maxSize: 20 }, found: [group('a')] }, { spec: { name: 'b', maxSize: 20 }, found: [group('b')] }], workloads: [], nodePools: [] };
  const acting = planCeilings(observed, {}, { nowMs: T0, act: true });
  const dry = planCeilings(observed, {}, { nowMs: T0, act: false });
  const applied = withFailedWrites(acting, dry, new Map([['asg/a', 'InternalFailure: We encountered an internal error']]), T0);
  const [a, b] = applied.status.scalingGroups ?? [];

  it('keeps the observed value for the failed target and says the write failed and why', () => {
    assert.deepEqual({ maxSize: a?.maxSize, clamped: a?.clamped, originalMaxSize: a?.originalMaxSize }, { maxSize: 40, clamped: false, originalMaxSize: undefined });
    assert.deepEqual(a?.lastAction, {
      time: '2026-11-27T12:00:00Z',
      reason: 'ActionFailed',
      message: 'could not clamp MaxSize 40 → 20 (AboveCeiling): the write failed (InternalFailure: We encountered an internal error); nothing changed, CostGuard retries.',
    });
    assert.doesNotMatch(JSON.stringify(a), /DryRun/);
  });

  it('leaves the targets whose writes succeeded as clamped', () => {
    assert.deepEqual({ maxSize: b?.maxSize, message: b?.lastAction?.message }, { maxSize: 20, message: 'clamped MaxSize 40 → 20 (AboveCeiling)' });
  });

  it('names a reverted drift and a record-only write in the same words', () => {
    assert.equal(
      failedText('MaxSize was raised to 60 (CostGuard set 20 at 2026-11-27T01:18:52Z); reverted to 20', 'AccessDenied'),
      'MaxSize was raised to 60 (CostGuard set 20 at 2026-11-27T01:18:52Z); could not revert to 20: the write failed (AccessDenied); nothing changed, CostGuard retries.',
    );
    assert.equal(failedText(undefined, 'AccessDenied'), 'could not update its record: the write failed (AccessDenied); nothing changed, CostGuard retries.');
  });
});
