import assert from 'node:assert/strict';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { ceilingConditions } from '../../../src/controllers/ceilings/conditions.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';
import { DRIFT_MEMORY_MS, planCeilings } from '../../../src/controllers/actuator/plan.ts';
import { MAX_TARGETS } from '../../../src/controllers/shared/target-cap.ts';

const T0 = Date.UTC(2026, 10, 27, 12);

function group(name: string, overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize: 10, desiredCapacity: 2, inService: 2, instanceTypes: [], tags: {}, ...overrides };
}

function observed(groups: ObservedCeilings['groups']): ObservedCeilings {
  return { groups, workloads: [], nodePools: [] };
}

const conditionsOf = (plan: ReturnType<typeof planCeilings>, mode: 'DryRun' | 'Enforce' = 'Enforce') =>
  Object.fromEntries(ceilingConditions({ plan, mode, paused: false, failures: [], targetCount: 1, scope: { aws: 'region us-east-1, the operator\'s account', namespace: 'default' } }).map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('planCeilings', () => {
  it('reports a named group that does not exist as missing, and a tag selector matching none as unmatched', () => {
    const plan = planCeilings(observed([{ spec: { name: 'gone', maxSize: 5 }, found: [] }, { spec: { tagSelector: { a: 'b' }, maxSize: 5 }, found: [] }]), {}, { nowMs: T0, act: true });
    assert.deepEqual(plan.missing, ['asg/gone']);
    assert.deepEqual(plan.unmatched, ['{a: b}']);
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(conditionsOf(plan), { CeilingsEnforced: 'False/TargetNotFound', CeilingReached: 'False/BelowCeilings', Degraded: 'True/TargetNotFound' });
  });

  it('gives a group named by one entry and tag-selected by another the stricter ceiling', () => {
    const g = group('shared', { maxSize: 50 });
    const plan = planCeilings(observed([{ spec: { name: 'shared', maxSize: 30 }, found: [g] }, { spec: { tagSelector: { t: 'x' }, maxSize: 12 }, found: [g] }]), {}, { nowMs: T0, act: true });
    assert.equal(plan.actions.length, 1);
    assert.deepEqual(plan.actions[0]?.kind === 'asg' ? plan.actions[0].limits.maxSize : undefined, 12);
    assert.equal(plan.status.scalingGroups?.[0]?.ceiling, 12);
  });

  it('plans no action in DryRun but reports the findings and says so in the condition', () => {
    const plan = planCeilings(observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g')] }]), {}, { nowMs: T0, act: false });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.findings.length, 1);
    assert.match(plan.status.scalingGroups?.[0]?.lastAction?.message ?? '', /would clamp MaxSize 10 → 5/);
    assert.equal(conditionsOf(plan, 'DryRun').CeilingsEnforced, 'False/DryRun');
  });

  it('in DryRun, an unchanged finding keeps its status as it was (no rewrite each resync) and is marked repeated', () => {
    const seen = observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g')] }]);
    const first = planCeilings(seen, {}, { nowMs: T0, act: false });
    const again = planCeilings(seen, first.status, { nowMs: T0 + 30_000, act: false });
    assert.deepEqual(again.status, first.status);
    assert.deepEqual([first.findings[0]?.repeated, again.findings[0]?.repeated], [false, true]);
    const changed = planCeilings(observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g', { maxSize: 12 })] }]), first.status, { nowMs: T0 + 60_000, act: false });
    assert.equal(changed.findings[0]?.repeated, false);
    assert.match(changed.status.scalingGroups?.[0]?.lastAction?.message ?? '', /MaxSize 12 → 5/);
  });

  it('keeps a reverted drift in CeilingsEnforced for an hour, then forgets it', () => {
    const prior = { scalingGroups: [{ name: 'g', ceiling: 5, maxSize: 5, desired: 2, clamped: true, originalMaxSize: 10, lastAction: { time: '2026-11-27T11:00:00Z', message: 'clamped', reason: 'AboveCeiling' } }] };
    const tags = { 'costguard.io/original-max-size': '10', 'costguard.io/clamped-max-size': '5', 'costguard.io/owner': 'ns/g' };
    const reverted = planCeilings(observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g', { maxSize: 40, tags })] }]), prior, { nowMs: T0, act: true });
    assert.equal(reverted.status.scalingGroups?.[0]?.lastAction?.reason, 'Drift');
    assert.deepEqual(reverted.recentDrift, ['asg/g']);
    const next = (nowMs: number) => planCeilings(observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g', { maxSize: 5, tags })] }]), reverted.status, { nowMs, act: true });
    assert.equal(conditionsOf(next(T0 + 60_000)).CeilingsEnforced, 'True/DriftReverted');
    assert.equal(conditionsOf(next(T0 + DRIFT_MEMORY_MS)).CeilingsEnforced, 'True/WithinCeilings');
  });
});

describe('planCeilings with too many matches', () => {
  const many = (n: number): ScalingGroup[] => Array.from({ length: n }, (_, i) => group(`g-${String(i).padStart(4, '0')}`, { maxSize: 50 }));

  it('plans at most MAX_TARGETS (200) groups, so no write happens for the rest, and reports them', () => {
    assert.equal(MAX_TARGETS, 200);
    const plan = planCeilings(observed([{ spec: { tagSelector: { team: 'a' }, maxSize: 20 }, found: many(MAX_TARGETS + 3) }]), {}, { nowMs: T0, act: true });
    assert.equal(plan.actions.length, MAX_TARGETS);
    assert.ok(plan.actions.every((a) => a.kind === 'asg' && a.name < 'g-0200'), 'only the first 200 by name are written');
    assert.equal(plan.status.scalingGroups?.length, MAX_TARGETS);
    assert.deepEqual(plan.overflow, ['asg/g-0200', 'asg/g-0201', 'asg/g-0202']);
  });

  it('counts workloads and NodePools against the cap: groups get what is left', () => {
    const workloads = Array.from({ length: 30 }, (_, i) => ({ spec: { kind: 'Deployment' as const, name: `w${i}`, maxReplicas: 5 } }));
    const nodePools = Array.from({ length: 10 }, (_, i) => ({ spec: { name: `p${i}`, limits: { cpu: '10' } } }));
    const plan = planCeilings({ groups: [{ spec: { tagSelector: { team: 'a' }, maxSize: 20 }, found: many(170) }], workloads, nodePools }, {}, { nowMs: T0, act: true });
    assert.equal(plan.status.scalingGroups?.length, 160);
    assert.equal(plan.overflow.length, 10);
    assert.equal(plan.overflow[0], 'asg/g-0160');
  });

  it('leaves nothing over at exactly the cap', () => {
    const plan = planCeilings(observed([{ spec: { tagSelector: { team: 'a' }, maxSize: 20 }, found: many(MAX_TARGETS) }]), {}, { nowMs: T0, act: true });
    assert.deepEqual(plan.overflow, []);
    assert.equal(plan.actions.length, MAX_TARGETS);
  });
});

describe('planCeilings: what the peers\' CRDs refuse', () => {
  const kedaObserved = (minReplicas: number | undefined, value: number | undefined): ObservedCeilings => ({
    groups: [],
    workloads: [{ spec: { kind: 'ScaledObject', name: 'floor', maxReplicas: 20 }, found: { kind: 'ScaledObject', name: 'floor', value, ...(minReplicas !== undefined ? { minReplicas } : {}) }, resourceVersion: '5' }],
    nodePools: [],
  });

  it('a ScaledObject whose minReplicaCount is above the ceiling: no write, and CeilingsEnforced names minReplicaCount', () => {
    for (const act of [true, false]) {
      const plan = planCeilings(kedaObserved(25, undefined), {}, { nowMs: T0, act });
      assert.deepEqual(plan.actions, []);
      assert.deepEqual(plan.findings, [], 'no clamp is announced that will not happen');
      assert.equal(plan.notApplicable.length, 1);
      assert.match(plan.notApplicable[0]!, /^ScaledObject\/floor: minReplicaCount 25 is above the ceiling 20, and KEDA refuses a maxReplicaCount below minReplicaCount/);
      assert.equal(conditionsOf(plan, act ? 'Enforce' : 'DryRun').CeilingsEnforced, 'False/CeilingNotApplicable');
      assert.equal(plan.status.workloads?.[0]?.maxReplicas, undefined, 'status shows the value as it is');
    }
  });

  it('a ScaledObject whose minReplicaCount is at or below the ceiling is clamped as usual', () => {
    const plan = planCeilings(kedaObserved(20, 100), {}, { nowMs: T0, act: true });
    assert.deepEqual(plan.actions.map((a) => (a.kind === 'workload' ? a.set : undefined)), [{ path: 'spec.maxReplicaCount', to: 20 }]);
    assert.deepEqual(plan.notApplicable, []);
  });

  it('a static NodePool: the action carries limits.nodes only, and the condition names the cpu ceiling', () => {
    const plan = planCeilings(
      { groups: [], workloads: [], nodePools: [{ spec: { name: 'batch', limits: { cpu: '100', nodes: '4' } }, found: { name: 'batch', limits: { nodes: '10' }, usage: {}, static: true }, resourceVersion: '9' }] },
      {},
      { nowMs: T0, act: true },
    );
    assert.deepEqual(plan.actions.map((a) => (a.kind === 'nodepool' ? a.limits : undefined)), [{ nodes: '4' }]);
    assert.deepEqual(plan.notApplicable, ['NodePool/batch: cpu ceiling does not apply to a static NodePool (spec.replicas set; Karpenter accepts only limits.nodes there)']);
    assert.equal(conditionsOf(plan).CeilingsEnforced, 'False/CeilingNotApplicable');
  });
});
