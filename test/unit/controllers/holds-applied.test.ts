// The ceilings actuator applies min(spec ceiling, holds, other guards) to every target kind,
// says which cap binds, records the original on the target in the same action, and treats a
// lifted hold as a release, never as drift. The runaway brake, the fleet breaker and the cost
// ceiling rely on exactly this.
import assert from 'node:assert/strict';
import type { CostGuardStatus, Hold } from '../../../src/api/v1alpha1/index.ts';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { capOf, capSuffix } from '../../../src/controllers/actuator/caps.ts';
import type { ObservedCeilings, PeerCeiling } from '../../../src/controllers/targets/observed.ts';
import { planCeilings } from '../../../src/controllers/actuator/plan.ts';
import type { GroupAction } from '../../../src/controllers/actuator/plan-groups.ts';
import type { NodePoolAction, WorkloadAction } from '../../../src/controllers/actuator/plan-k8s.ts';

const T0 = Date.UTC(2026, 10, 27, 12);
const SINCE = '2026-11-27T11:00:00Z';
const hold = (owner: Hold['owner'], target: string, cap: { value?: number; limits?: Hold['limits'] }, reason = `${owner} says so`): Hold => ({ owner, target, reason, since: SINCE, ...cap });

function group(overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name: 'g', arn: 'arn:g', minSize: 0, maxSize: 50, desiredCapacity: 10, inService: 10, instanceTypes: [], tags: {}, ...overrides };
}

function observedWith(parts: Partial<ObservedCeilings>): ObservedCeilings {
  return { groups: [], workloads: [], nodePools: [], ...parts };
}

const recordTags = (original: number, clamped: number) => ({ 'costguard.io/original-max-size': String(original), 'costguard.io/clamped-max-size': String(clamped), 'costguard.io/owner': 'team/g' });

function planGroup(g: ScalingGroup, status: CostGuardStatus, peers: PeerCeiling[] = []) {
  const plan = planCeilings(observedWith({ groups: [{ spec: { name: 'g', maxSize: 20 }, found: [g] }], peers }), status, { nowMs: T0, act: true, owner: 'team/g' });
  return { plan, action: plan.actions[0] as GroupAction | undefined };
}

describe('holds applied by the ceilings actuator', () => {
  describe('capOf', () => {
    const cases: { name: string; spec: number; holds: Hold[]; peers?: { guard: string; value: number }[]; expect: string }[] = [
      { name: 'no holds: the spec binds', spec: 20, holds: [], expect: '20 spec' },
      { name: 'a hold above the spec does not bind', spec: 20, holds: [hold('cost', 'asg/g', { value: 30 })], expect: '20 spec' },
      { name: 'a hold equal to the spec: the spec binds', spec: 20, holds: [hold('cost', 'asg/g', { value: 20 })], expect: '20 spec' },
      { name: 'the lowest hold binds, with its owner and reason', spec: 20, holds: [hold('cost', 'asg/g', { value: 15 }), hold('runaway', 'asg/g', { value: 7 }, 'brake engaged')], expect: '7 runaway brake engaged' },
      { name: 'a hold without a value (NodePool limits only) is ignored', spec: 20, holds: [hold('runaway', 'asg/g', { limits: { cpu: '1' } })], expect: '20 spec' },
      { name: 'another guard lower still binds', spec: 20, holds: [hold('breaker', 'asg/g', { value: 12 })], peers: [{ guard: 'b/other', value: 9 }], expect: '9 guard b/other its ceiling is 9' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const cap = capOf(c.spec, c.holds, c.peers);
        assert.equal([cap.value, cap.by, cap.why].filter((x) => x !== undefined).join(' '), c.expect);
      });
    }

    it('names the binding cap in words', () => {
      assert.equal(capSuffix({ value: 7, by: 'runaway', why: 'brake engaged' }), ' (held by runaway: brake engaged)');
      assert.equal(capSuffix({ value: 9, by: 'guard b/other', why: 'its ceiling is 9' }), ' (guard b/other: its ceiling is 9)');
      assert.equal(capSuffix({ value: 20, by: 'spec' }), '');
    });
  });

  describe('Auto Scaling groups', () => {
    const cases: { name: string; group: Partial<ScalingGroup>; holds: Hold[]; peers?: PeerCeiling[]; maxSize?: number; reason?: string; record?: { original: number; clamped: number } | 'cleared'; message?: RegExp }[] = [
      { name: 'spec only: clamps to the spec and records the original before the write', group: {}, holds: [], maxSize: 20, reason: 'AboveCeiling', record: { original: 50, clamped: 20 } },
      { name: 'a brake hold below the spec clamps to the hold and says so', group: {}, holds: [hold('runaway', 'asg/g', { value: 10 }, 'brake engaged')], maxSize: 10, reason: 'AboveCeiling', record: { original: 50, clamped: 10 }, message: /held by runaway: brake engaged/ },
      { name: 'a hold on another target does not apply', group: {}, holds: [hold('runaway', 'asg/other', { value: 1 })], maxSize: 20, reason: 'AboveCeiling' },
      { name: 'a hold lowering CostGuard\'s own value is CeilingLowered, not drift', group: { maxSize: 20, tags: recordTags(50, 20) }, holds: [hold('breaker', 'asg/g', { value: 12 })], maxSize: 12, reason: 'CeilingLowered', record: { original: 50, clamped: 12 } },
      { name: 'a lifted hold goes back to the spec ceiling (Released)', group: { maxSize: 12, tags: recordTags(50, 12) }, holds: [], maxSize: 20, reason: 'Released', record: { original: 50, clamped: 20 } },
      { name: 'a lifted hold never goes above the original', group: { maxSize: 12, tags: recordTags(16, 12) }, holds: [], maxSize: 16, reason: 'Released', record: 'cleared' },
      { name: 'a value lowered by someone else below the cap is theirs: the record goes, no write', group: { maxSize: 8, tags: recordTags(50, 12) }, holds: [], record: 'cleared' },
      { name: 'another guard lower: its ceiling applies, naming it', group: {}, holds: [], peers: [{ guard: 'b/other', target: 'asg/g', value: 9 }], maxSize: 9, reason: 'AboveCeiling', message: /guard b\/other/ },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { plan, action } = planGroup(group(c.group), { holds: c.holds }, c.peers);
        assert.equal(action?.limits.maxSize, c.maxSize);
        assert.equal(action?.changes.find((x) => x.field === 'MaxSize')?.reason, c.reason);
        if (c.record === 'cleared') assert.equal(action?.clearRecord, true);
        else if (c.record) assert.deepEqual(action?.record, c.record);
        if (c.message) assert.match(plan.findings[0]?.message ?? '', c.message);
        assert.ok(!plan.findings.some((f) => f.drift), 'no drift');
      });
    }

    it('reports the overlap with another guard', () => {
      const { plan } = planGroup(group({ maxSize: 5 }), {}, [{ guard: 'b/other', target: 'asg/g', value: 30 }]);
      assert.deepEqual(plan.overlaps, ['asg/g (also guarded by b/other)']);
      assert.deepEqual(plan.actions, []);
    });

    it('names three overlapping guards and counts the rest, so status stays small when many guards share a target', () => {
      const peers = ['b/e', 'b/d', 'b/c', 'b/b', 'b/a'].map((guard) => ({ guard, target: 'asg/g', value: 30 }));
      const { plan } = planGroup(group({ maxSize: 5 }), {}, peers);
      assert.deepEqual(plan.overlaps, ['asg/g (also guarded by b/a, b/b, b/c and 2 more)']);
    });
  });

  describe('workloads', () => {
    const hpa = (value: number, annotations?: { original: number; clamped: number }) =>
      observedWith({ workloads: [{ spec: { kind: 'HorizontalPodAutoscaler', name: 'api', maxReplicas: 30 }, found: { kind: 'HorizontalPodAutoscaler', name: 'api', value, ...(annotations ? { record: annotations } : {}) } }] });

    it('a hold below the ceiling field caps maxReplicas, with the record in the same patch', () => {
      const plan = planCeilings(hpa(100), { holds: [hold('runaway', 'HorizontalPodAutoscaler/api', { value: 12 })] }, { nowMs: T0, act: true, owner: 'team/g' });
      const action = plan.actions[0] as WorkloadAction;
      assert.deepEqual(action.set, { path: 'spec.maxReplicas', to: 12 });
      assert.deepEqual(action.annotations, { 'costguard.io/original-ceiling': '100', 'costguard.io/clamped-ceiling': '12', 'costguard.io/owner': 'team/g' });
      assert.match(plan.findings[0]?.message ?? '', /held by runaway/);
    });

    it('the hold lifted: back to the spec ceiling, not drift', () => {
      const plan = planCeilings(hpa(12, { original: 100, clamped: 12 }), {}, { nowMs: T0, act: true, owner: 'team/g' });
      const action = plan.actions[0] as WorkloadAction;
      assert.deepEqual(action.set, { path: 'spec.maxReplicas', to: 30 });
      assert.equal(plan.findings[0]?.reason, 'Released');
      assert.equal(plan.findings[0]?.drift, false);
    });
  });

  describe('NodePools', () => {
    it('each limit is the lowest of the spec and the holds\' limits', () => {
      const observed = observedWith({ nodePools: [{ spec: { name: 'np', limits: { cpu: '400', memory: '1600Gi' } }, found: { name: 'np', limits: { cpu: '1000', memory: '2Ti' }, usage: {} } }] });
      const status: CostGuardStatus = { holds: [hold('runaway', 'NodePool/np', { limits: { cpu: '96' } })] };
      const plan = planCeilings(observed, status, { nowMs: T0, act: true, owner: 'team/g' });
      const action = plan.actions[0] as NodePoolAction;
      assert.deepEqual(action.limits, { cpu: '96', memory: '1600Gi' });
      assert.deepEqual(JSON.parse(action.annotations['costguard.io/original-limits']!), { cpu: '1000', memory: '2Ti' });
      assert.deepEqual(plan.status.nodePools?.[0]?.limits, { cpu: '96', memory: '1600Gi' });
    });
  });

  describe('holds at current, resolved at write time', () => {
    const freeze = (target: string, cap: { value?: number; limits?: Hold['limits'] }) => ({ ...hold('runaway', target, cap, 'brake engaged'), atCurrent: true });

    it('never sets MaxSize below the desired capacity read just before the write', () => {
      // The brake sampled 8; target tracking has since grown the group to 10: the freeze lands at 10.
      const { action } = planGroup(group({ desiredCapacity: 10 }), { holds: [freeze('asg/g', { value: 8 })] });
      assert.equal(action?.limits.maxSize, 10);
      assert.equal(action?.limits.desiredCapacity, undefined, 'desired is never written');
      // Grown past the spec ceiling's cap? The spec still binds: at current never raises a ceiling.
      const high = planGroup(group({ desiredCapacity: 30 }), { holds: [freeze('asg/g', { value: 8 })] });
      assert.equal(high.action?.limits.maxSize, 20);
    });

    for (const [desired, expected] of [[4, 8], [8, 8], [13, 13]] as const) {
      it(`a freeze sampled at 8 with desired ${desired} at the write: MaxSize ${expected} (never below desired, never above the hold when the group shrank)`, () => {
        const { action } = planGroup(group({ desiredCapacity: desired }), { holds: [freeze('asg/g', { value: 8 })] });
        assert.equal(action?.limits.maxSize, expected);
        assert.ok(expected >= desired);
      });
    }

    it('a plain hold (Shed, cost) is applied as given, even below desired', () => {
      const { action } = planGroup(group({ desiredCapacity: 10 }), { holds: [hold('cost', 'asg/g', { value: 6 })] });
      assert.equal(action?.limits.maxSize, 6);
    });

    it('another guard\'s hold at current resolves against this guard\'s live read too', () => {
      const { action } = planGroup(group({ desiredCapacity: 11 }), {}, [{ guard: 'b/other', target: 'asg/g', value: 30, atCurrent: 7 }]);
      assert.equal(action?.limits.maxSize, 11);
      const firm = planGroup(group({ desiredCapacity: 11 }), {}, [{ guard: 'b/other', target: 'asg/g', value: 9, atCurrent: 7 }]);
      assert.equal(firm.action?.limits.maxSize, 9, 'its firm cap still binds');
    });

    it('never sets an autoscaler\'s maximum below the replicas running now', () => {
      const observed = observedWith({ workloads: [{ spec: { kind: 'HorizontalPodAutoscaler', name: 'api', maxReplicas: 30 }, found: { kind: 'HorizontalPodAutoscaler', name: 'api', value: 30, replicas: 17 } }] });
      const plan = planCeilings(observed, { holds: [freeze('HorizontalPodAutoscaler/api', { value: 12 })] }, { nowMs: T0, act: true, owner: 'team/g' });
      assert.deepEqual((plan.actions[0] as WorkloadAction).set, { path: 'spec.maxReplicas', to: 17 });
    });

    it('never sets a NodePool limit below its usage', () => {
      const observed = observedWith({ nodePools: [{ spec: { name: 'np', limits: { cpu: '400' } }, found: { name: 'np', limits: { cpu: '400' }, usage: { cpu: '120' } } }] });
      const plan = planCeilings(observed, { holds: [freeze('NodePool/np', { limits: { cpu: '96' } })] }, { nowMs: T0, act: true, owner: 'team/g' });
      assert.deepEqual((plan.actions[0] as NodePoolAction).limits, { cpu: '120' });
    });
  });

  it('in DryRun applies the same caps but plans no write and no record', () => {
    const plan = planCeilings(observedWith({ groups: [{ spec: { name: 'g', maxSize: 20 }, found: [group()] }] }), { holds: [hold('cost', 'asg/g', { value: 5 })] }, { nowMs: T0, act: false, owner: 'team/g' });
    assert.deepEqual(plan.actions, []);
    assert.match(plan.findings[0]?.message ?? '', /would clamp MaxSize 50 → 5 .*held by cost/);
  });
});
