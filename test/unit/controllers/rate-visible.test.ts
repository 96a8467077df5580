// Every action of the scale-out rate limit is visible: its clamps send events (WouldClamp in
// DryRun), a hand raise it reverts is Drift (event and alert) naming maxScaleOut, and a
// raised ceiling's sentence names the rate limit, not "a hold or another guard".
import assert from 'node:assert/strict';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import type { ScalingGroupStatus } from '../../../src/api/v1alpha1/index.ts';
import { planCeilings } from '../../../src/controllers/actuator/plan.ts';
import { ceilingConditions } from '../../../src/controllers/ceilings/conditions.ts';
import { findingEvent } from '../../../src/controllers/ceilings/events.ts';
import { driftRevertedAlert } from '../../../src/alerting/drift.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';
import { ASG_KEYS } from '../../../src/controllers/targets/records.ts';

const T0 = Date.UTC(2026, 10, 27, 12);
const scope = { aws: 'region eu-west-1, account 123456789012', namespace: 'payments' };
const regarding = { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', namespace: 'payments', name: 'g', uid: 'u' };

function group(overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name: 'g', arn: 'arn:g', minSize: 0, maxSize: 50, desiredCapacity: 4, inService: 4, instanceTypes: [], tags: {}, ...overrides };
}

const spec = { name: 'g', maxSize: 40, maxScaleOut: { instances: 4, per: '10m' } };
const observed = (g: ScalingGroup): ObservedCeilings => ({ groups: [{ spec, found: [g] }], workloads: [], nodePools: [] });
const recordTags = (original: number, clamped: number): Record<string, string> => ({ [ASG_KEYS.original]: String(original), [ASG_KEYS.clamped]: String(clamped) });

describe('the scale-out rate limit, visible', () => {
  it('a rate-limit clamp is an event naming maxScaleOut, even when it holds back nothing the group asked for', () => {
    const plan = planCeilings(observed(group()), {}, { nowMs: T0, act: true });
    assert.equal(plan.findings.length, 1);
    const [f] = plan.findings;
    assert.equal(f?.repeated, false, 'not routine: it sends an event');
    assert.equal(f?.message, 'asg/g: clamped MaxSize 50 → 8 (ScaleOutRateLimited) (held by the scale-out rate limit, maxScaleOut 4 per 10m)');
    const event = findingEvent(regarding, f, true);
    assert.deepEqual([event.type, event.reason], ['Warning', 'CeilingClamped']);
  });

  it('in DryRun, the rate limit\'s would-be clamp is a WouldClamp event, and the condition gives its values', () => {
    const plan = planCeilings(observed(group()), {}, { nowMs: T0, act: false });
    const event = findingEvent(regarding, plan.findings[0]!, false);
    assert.deepEqual([event.reason, event.message], ['WouldClamp', 'asg/g: would clamp MaxSize 50 → 8 (ScaleOutRateLimited) (DryRun) (held by the scale-out rate limit, maxScaleOut 4 per 10m)']);
    const enforced = ceilingConditions({ plan, mode: 'DryRun', paused: false, failures: [], targetCount: 1, scope }).find((c) => c.type === 'CeilingsEnforced');
    assert.equal(enforced?.message, 'DryRun: would change asg/g MaxSize 50 → 8.');
  });

  it('a hand raise back to the original, after CostGuard\'s value stood, is Drift reverted by the rate limit', () => {
    const prior: ScalingGroupStatus = { name: 'g', ceiling: 40, maxSize: 8, desired: 4, inService: 4, clamped: true, originalMaxSize: 50, scaleOutHistory: [{ time: new Date(T0).toISOString(), desired: 4 }] };
    const plan = planCeilings(observed(group({ maxSize: 50, tags: recordTags(50, 8) })), { scalingGroups: [prior] }, { nowMs: T0 + 60_000, act: true });
    const [f] = plan.findings;
    assert.equal(f?.reason, 'Drift');
    assert.equal(f?.drift, true, 'the drift alert fires');
    assert.match(f?.message ?? '', /^asg\/g: MaxSize was raised to 50 .*; reverted to 8 \(held by the scale-out rate limit, maxScaleOut 4 per 10m\)$/);
    assert.equal(findingEvent(regarding, f, true).reason, 'DriftReverted');
    // The drift alert names the rate limit, in its evidence and in what CostGuard did.
    const alert = driftRevertedAlert({ metadata: { namespace: 'payments', name: 'g' } } as never, { target: f.target, message: f.message, heldBy: f.heldBy ?? '' }, true);
    assert.deepEqual(alert.evidence, [f.message]);
    assert.deepEqual(alert.actions, ['CostGuard set asg/g back to what the scale-out rate limit (maxScaleOut 4 per 10m) allows of CostGuard payments/g.']);
  });

  it('MaxSize back at the original while CostGuard\'s value never stood is not drift (the write never landed)', () => {
    const prior: ScalingGroupStatus = { name: 'g', ceiling: 40, maxSize: 50, desired: 4, inService: 4, clamped: false };
    const plan = planCeilings(observed(group({ maxSize: 50, tags: recordTags(50, 8) })), { scalingGroups: [prior] }, { nowMs: T0, act: true });
    assert.equal(plan.findings[0]?.reason, 'ScaleOutRateLimited');
  });

  it('a value held below a raised ceiling by the rate limit says so, not "a hold or another guard"', () => {
    const prior: ScalingGroupStatus = { name: 'g', ceiling: 40, maxSize: 8, desired: 4, inService: 4, clamped: true, originalMaxSize: 50, scaleOutHistory: [{ time: new Date(T0).toISOString(), desired: 4 }] };
    const plan = planCeilings(observed(group({ maxSize: 8, tags: recordTags(50, 8) })), { scalingGroups: [prior] }, { nowMs: T0 + 60_000, act: true });
    assert.equal(plan.findings.length, 0);
    const enforced = ceilingConditions({ plan, mode: 'Enforce', paused: false, failures: [], targetCount: 1, scope }).find((c) => c.type === 'CeilingsEnforced');
    assert.equal(
      enforced?.message,
      'The one target is at or below its ceiling. The ceiling of asg/g is now 40, above MaxSize 8, which CostGuard set (it was 50 before): the scale-out rate limit (maxScaleOut 4 per 10m) keeps it at 8 for now; CostGuard releases it up to 40, the ceiling (its recorded original is 50) once nothing holds it lower.',
    );
  });
});
