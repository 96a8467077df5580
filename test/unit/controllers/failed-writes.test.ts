// A failed Enforce write: status keeps what was observed, and lastAction says the write was
// tried and failed, and why — never "(DryRun)".
import assert from 'node:assert/strict';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { failedText, withFailedWrites } from '../../../src/controllers/actuator/failed-writes.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';
import { planCeilings, type CeilingAction } from '../../../src/controllers/actuator/plan.ts';

const T0 = Date.UTC(2026, 10, 27, 12);

function group(name: string, overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize: 40, desiredCapacity: 2, inService: 2, instanceTypes: [], tags: {}, ...overrides };
}

describe('ceilings: a failed write', () => {
  const observed: ObservedCeilings = { groups: [{ spec: { name: 'a', maxSize: 20 }, found: [group('a')] }, { spec: { name: 'b', maxSize: 20 }, found: [group('b')] }], workloads: [], nodePools: [] };
  const acting = planCeilings(observed, {}, { nowMs: T0, act: true });
  const dry = planCeilings(observed, {}, { nowMs: T0, act: false });
  const failedA = acting.actions.find((x) => x.target === 'asg/a')!;
  const applied = withFailedWrites(acting, dry, [{ action: failedA, why: 'InternalFailure: We encountered an internal error' }], T0);
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

  it('builds the message from the attempted changes: a reverted drift, a raise, a record-only write', () => {
    const drifted = planCeilings(
      { groups: [{ spec: { name: 'a', maxSize: 20 }, found: [group('a', { maxSize: 60, tags: { 'costguard.io/original-max-size': '40', 'costguard.io/clamped-max-size': '20' } })] }], workloads: [], nodePools: [] },
      {},
      { nowMs: T0, act: true },
    ).actions[0]!;
    assert.equal(failedText(drifted, 'AccessDenied'), 'could not revert MaxSize 60 → 20 (Drift): the write failed (AccessDenied); nothing changed, CostGuard retries.');
    const raise = { ...drifted, changes: [{ field: 'MaxSize' as const, from: 10, to: 20, reason: 'Released' as const }] } as CeilingAction;
    assert.equal(failedText(raise, 'AccessDenied'), 'could not raise MaxSize 10 → 20 (Released): the write failed (AccessDenied); nothing changed, CostGuard retries.');
    assert.equal(failedText({ ...drifted, changes: [] }, 'AccessDenied'), 'could not update its record: the write failed (AccessDenied); nothing changed, CostGuard retries.');
  });
});
