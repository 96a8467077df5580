// The sentences a user reads, pinned as text: pause, sections, not-found, no match, raised
// ceilings, drift and CeilingReached.
import assert from 'node:assert/strict';
import { ConditionType, type CostGuardSpec } from '../../../src/api/v1alpha1/index.ts';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { decideGroup } from '../../../src/controllers/actuator/asg-decide.ts';
import { ceilingConditions, type Outcome } from '../../../src/controllers/ceilings/conditions.ts';
import { awsScope, driftSince, missingText, raisedCeilingsText, selectorText, unmatchedText } from '../../../src/controllers/ceilings/messages.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';
import { isKindMissing } from '../../../src/controllers/targets/observe.ts';
import { planCeilings, type CeilingsPlan } from '../../../src/controllers/actuator/plan.ts';
import { nextStatus } from '../../../src/controllers/ceilings/status.ts';
import { effectiveMode, pauseState } from '../../../src/controllers/shared/pause.ts';
import { KubeApiError } from '../../../src/runtime/errors.ts';

const T0 = Date.UTC(2026, 10, 27, 12);
const scope = { aws: 'region eu-west-1, account 123456789012', namespace: 'payments' };

function group(name: string, overrides: Partial<ScalingGroup> = {}): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize: 10, desiredCapacity: 2, inService: 2, instanceTypes: [], tags: {}, ...overrides };
}

const observed = (groups: ObservedCeilings['groups'], rest: Partial<ObservedCeilings> = {}): ObservedCeilings => ({ groups, workloads: [], nodePools: [], ...rest });

function conditions(plan: CeilingsPlan, o: Partial<Outcome> = {}): Record<string, string> {
  const all = ceilingConditions({ plan, mode: 'Enforce', paused: false, failures: [], targetCount: 1, scope, ...o });
  return Object.fromEntries(all.map((c) => [c.type, `${c.status}/${c.reason}: ${c.message ?? ''}`]));
}

describe('status that tells the truth', () => {
  describe('pause', () => {
    const guard = (annotations?: Record<string, string>, mode: 'DryRun' | 'Enforce' = 'Enforce') => ({ metadata: { ...(annotations ? { annotations } : {}) }, spec: { mode } as CostGuardSpec });
    it('accepts exactly "true"; any other value is invalid and does not pause', () => {
      assert.deepEqual(pauseState(guard({ 'costguard.io/paused': 'true' })), { paused: true });
      assert.deepEqual(pauseState(guard()), { paused: false });
      for (const v of ['True', 'yes', '1', '']) assert.deepEqual(pauseState(guard({ 'costguard.io/paused': v })), { paused: false, invalid: v });
    });
    it('reports a misspelled costguard.io/pause (any unknown costguard.io/* annotation) instead of ignoring it', () => {
      assert.deepEqual(pauseState(guard({ 'costguard.io/pause': 'true', 'costguard.io/budget-created': 'b', 'example.com/x': 'y' })), { paused: false, unknown: ['costguard.io/pause'] });
      const plan = planCeilings(observed([]), {}, { nowMs: T0, act: true });
      assert.equal(
        conditions(plan, { unknownAnnotations: ['costguard.io/pause'] }).Degraded,
        'True/UnknownAnnotation: Unknown annotation costguard.io/pause: CostGuard reads only costguard.io/paused ("true" pauses the guard), so it is ignored and CostGuard keeps enforcing. Fix the name or remove it.',
      );
    });
    it('shows Paused, Enforce or DryRun as the effective mode', () => {
      assert.equal(effectiveMode(guard({ 'costguard.io/paused': 'true' })), 'Paused');
      assert.equal(effectiveMode(guard({ 'costguard.io/paused': 'yes' })), 'Enforce');
      assert.equal(effectiveMode(guard(undefined, 'DryRun')), 'DryRun');
    });
    it('says Paused, not DryRun, and names each pending target once', () => {
      const g = group('g', { maxSize: 40, desiredCapacity: 30 });
      const plan = planCeilings(observed([{ spec: { name: 'g', maxSize: 20 }, found: [g] }]), {}, { nowMs: T0, act: false, paused: true });
      assert.deepEqual(plan.findings.map((f) => f.message), ['asg/g: would clamp MaxSize 40 → 20 (AboveCeiling) (Paused)']);
      const c = conditions(plan, { paused: true });
      assert.equal(c.CeilingsEnforced, 'False/Paused: Paused: costguard.io/paused is "true", so CostGuard observes and changes nothing; would change asg/g MaxSize 40 → 20 (Paused).');
      assert.equal(c.CeilingReached, 'True/CeilingBinding: Above the ceiling and not clamped (Paused): asg/g.');
    });
    it('reports an invalid value as Degraded (InvalidPause)', () => {
      const plan = planCeilings(observed([]), {}, { nowMs: T0, act: true });
      assert.equal(
        conditions(plan, { invalidPause: 'yes' }).Degraded,
        'True/InvalidPause: costguard.io/paused is "yes"; only "true" pauses a guard, so CostGuard keeps enforcing. Set it to "true" to pause, or remove it.',
      );
    });
  });

  describe('sections', () => {
    it('a False section keeps Ready False through the ceilings status, with the section named', () => {
      const guard = {
        apiVersion: 'costguard.io/v1alpha1' as const,
        kind: 'CostGuard' as const,
        metadata: { name: 'g', generation: 1 },
        spec: { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 3 }], cost: {} } as unknown as CostGuardSpec,
        status: { conditions: [{ type: 'CostTracked', status: 'False' as const, reason: 'BudgetUnreadable', message: 'not yet', lastTransitionTime: '2026-11-27T11:00:00Z' }] },
      };
      const status = nextStatus({ guard, conditions: [{ type: ConditionType.CeilingsEnforced, status: 'True', reason: 'WithinCeilings', message: 'ok' }, { type: 'Degraded', status: 'False', reason: 'AsExpected' }], nowMs: T0 });
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'BudgetUnreadable', 'CostTracked: not yet']);
      assert.equal(status.effectiveMode, 'Enforce');
    });
  });

  describe('where CostGuard looked', () => {
    it('names the region and the account (from the role, else the operator\'s)', () => {
      assert.equal(awsScope({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/cg' }, true), 'region eu-west-1, account 123456789012');
      assert.equal(awsScope({ region: 'us-east-1' }, false), "region us-east-1 (the operator's default: the guard has no spec.aws), the operator's account");
    });
    it('advises what applies to what is missing: region and role for groups, the namespace for workloads, the CRDs for a kind not served', () => {
      const text = missingText({ missing: ['asg/a', 'Deployment/w', 'NodePool/np', 'ScaledObject/so'], notInstalled: ['ScaledObject/so'] }, scope);
      assert.equal(
        text,
        'Not found: asg/a in region eu-west-1, account 123456789012; Deployment/w in namespace payments; NodePool/np; ScaledObject/so (KEDA CRD not installed). Check the names, the region, the role and the namespace. Install the KEDA CRDs, or remove that target from the guard.',
      );
      assert.equal(missingText({ missing: ['NodePool/np'], notInstalled: ['NodePool/np'] }, scope), 'Not found: NodePool/np (Karpenter CRD not installed). Install the Karpenter CRDs, or remove that target from the guard.');
      assert.equal(missingText({ missing: ['HorizontalPodAutoscaler/h', 'ScaledObject/so'], notInstalled: [] }, scope), 'Not found: HorizontalPodAutoscaler/h, ScaledObject/so in namespace payments. Check the names and the namespace.');
      assert.equal(missingText({ missing: ['NodePool/np'], notInstalled: [] }, scope), 'Not found: NodePool/np. Check the names.');
      assert.equal(missingText({ missing: ['asg/a'], notInstalled: [] }, scope), 'Not found: asg/a in region eu-west-1, account 123456789012. Check the names, the region and the role.');
    });
    it('names a selector that matched nothing', () => {
      assert.equal(
        unmatchedText([selectorText({ team: 'paymnets' })], scope),
        'No Auto Scaling group matched tagSelector {team: paymnets} in region eu-west-1, account 123456789012. Check the tags, the region and the role.',
      );
      const plan = planCeilings(observed([{ spec: { tagSelector: { team: 'paymnets' }, maxSize: 5 }, found: [] }]), {}, { nowMs: T0, act: true });
      const c = conditions(plan);
      assert.match(c.CeilingsEnforced ?? '', /^False\/NoTargetsMatched: No Auto Scaling group matched tagSelector \{team: paymnets\}/);
      assert.match(c.Degraded ?? '', /^True\/NoTargetsMatched: /);
    });
    it('tells a missing kind (no object details in the 404) from a missing object', () => {
      assert.equal(isKindMissing(new KubeApiError(404, 'x', 'NotFound', '404 page not found')), true);
      assert.equal(isKindMissing(new KubeApiError(404, 'x', 'NotFound', { kind: 'Status', reason: 'NotFound', details: { name: 'np', kind: 'nodepools' } })), false);
      assert.equal(isKindMissing(new KubeApiError(403, 'x')), false);
    });
  });

  describe('messages', () => {
    const prior = (message: string) => ({ name: 'g', ceiling: 20, maxSize: 20, desired: 2, clamped: true, originalMaxSize: 40, lastAction: { time: '2026-11-27T01:18:52Z', message, reason: 'AboveCeiling' } });
    it('drift names the value and time CostGuard set, or only the ceiling when the status does not know', () => {
      const paused = { ...prior('would clamp MaxSize 40 → 20 (Drift) (Paused)'), maxSizeSet: { value: 20, time: '2026-11-27T01:18:52Z' } };
      assert.equal(driftSince(paused, 20), ' (CostGuard set 20 at 2026-11-27T01:18:52Z)');
      assert.equal(driftSince(prior('clamped MaxSize 40 → 20 (AboveCeiling)'), 20), ' (CostGuard set 20 at 2026-11-27T01:18:52Z)');
      assert.equal(driftSince(prior('would clamp MaxSize 40 → 20 (Drift) (Paused)'), 20), ' (above the ceiling 20 CostGuard holds)');
    });
    it('a second drift revert moves lastAction.time', () => {
      const spec = { name: 'g', maxSize: 20 };
      // The record CostGuard wrote on the group before its first clamp (40 → 20).
      const raised = group('g', { maxSize: 60, tags: { 'costguard.io/original-max-size': '40', 'costguard.io/clamped-max-size': '20' } });
      const first = planCeilings(observed([{ spec, found: [raised] }]), { scalingGroups: [prior('clamped MaxSize 40 → 20 (AboveCeiling)')] }, { nowMs: T0, act: true });
      assert.equal(first.findings[0]?.message, 'asg/g: MaxSize was raised to 60 (CostGuard set 20 at 2026-11-27T01:18:52Z); reverted to 20');
      assert.deepEqual(first.status.scalingGroups?.[0]?.maxSizeSet, { value: 20, time: '2026-11-27T12:00:00Z' });
      const paused = planCeilings(observed([{ spec, found: [raised] }]), first.status, { nowMs: T0 + 30_000, act: false, paused: true });
      assert.deepEqual(paused.status.scalingGroups?.[0]?.maxSizeSet, { value: 20, time: '2026-11-27T12:00:00Z' }, 'pause writes nothing, so remembers the last write');
      const second = planCeilings(observed([{ spec, found: [raised] }]), paused.status, { nowMs: T0 + 60_000, act: true });
      assert.equal(second.status.scalingGroups?.[0]?.lastAction?.time, '2026-11-27T12:01:00Z');
      assert.equal(second.findings[0]?.message, 'asg/g: MaxSize was raised to 60 (CostGuard set 20 at 2026-11-27T12:00:00Z); reverted to 20');
    });
    it('drift keeps the time of CostGuard\'s write when a concurrent status write lost it: the group\'s tag has it', () => {
      const spec = { name: 'g', maxSize: 20 };
      const tags = { 'costguard.io/original-max-size': '40', 'costguard.io/clamped-max-size': '20' };
      const clamp = planCeilings(observed([{ spec, found: [group('g', { maxSize: 40 })] }]), {}, { nowMs: T0, act: true });
      const action = clamp.actions[0];
      assert.ok(action?.kind === 'asg');
      assert.equal(action.clampedAt, '2026-11-27T12:00:00Z', 'the MaxSize write carries its time to the tags');
      // Status lost that reconcile (409 against another controller): it knows neither value nor time.
      const lostStatus = { scalingGroups: [{ name: 'g', ceiling: 20, maxSize: 40, desired: 2, clamped: false }] };
      const raised = group('g', { maxSize: 60, tags: { ...tags, 'costguard.io/clamped-at': action.clampedAt } });
      const drift = planCeilings(observed([{ spec, found: [raised] }]), lostStatus, { nowMs: T0 + 600_000, act: true });
      assert.equal(drift.findings[0]?.message, 'asg/g: MaxSize was raised to 60 (CostGuard set 20 at 2026-11-27T12:00:00Z); reverted to 20');
      const revert = drift.actions[0];
      assert.ok(revert?.kind === 'asg');
      assert.deepEqual({ record: revert.record, at: revert.clampedAt }, { record: { original: 40, clamped: 20 }, at: '2026-11-27T12:10:00Z' }, 'the revert re-tags its own time');
      // A reconcile that writes nothing rebuilds maxSizeSet from the tag.
      const quiet = planCeilings(observed([{ spec, found: [group('g', { maxSize: 20, tags: { ...tags, 'costguard.io/clamped-at': '2026-11-27T12:10:00Z' } })] }]), lostStatus, { nowMs: T0 + 660_000, act: true });
      assert.deepEqual(quiet.status.scalingGroups?.[0]?.maxSizeSet, { value: 20, time: '2026-11-27T12:10:00Z' });
      // Without a tagged time (a record from before it existed), the value alone.
      assert.equal(driftSince(undefined, 20, { value: 20 }), ' (CostGuard set 20)');
    });
    it('a raised ceiling says what comes next: a release up to the lower of the ceiling and the original', () => {
      const status = { scalingGroups: [{ name: 'g', ceiling: 25, maxSize: 10, desired: 2, clamped: true, originalMaxSize: 40 }] };
      assert.equal(
        raisedCeilingsText(status, { act: false }),
        'The ceiling of asg/g is now 25, above MaxSize 10, which CostGuard set (it was 40 before): CostGuard would release it up to 25, the ceiling (its recorded original is 40) (DryRun).',
      );
      assert.equal(
        raisedCeilingsText({ scalingGroups: [{ ...status.scalingGroups[0]!, ceiling: 60 }] }, { act: true }),
        "The ceiling of asg/g is now 60, above MaxSize 10, which CostGuard set (it was 40 before): a hold or another guard's lower ceiling keeps it at 10 for now; CostGuard releases it up to 40, its recorded original once nothing holds it lower.",
      );
      assert.equal(raisedCeilingsText({ scalingGroups: [{ ...status.scalingGroups[0]!, originalMaxSize: 10 }] }, { act: true }), undefined, 'nothing to release');
      // Enforce releases in the same reconcile, so the condition has nothing left to explain.
      const clamped = group('g', { maxSize: 10, tags: { 'costguard.io/original-max-size': '40', 'costguard.io/clamped-max-size': '10' } });
      const plan = planCeilings(observed([{ spec: { name: 'g', maxSize: 25 }, found: [clamped] }]), status, { nowMs: T0, act: true });
      assert.deepEqual(plan.findings.map((f) => f.message), ['asg/g: raised MaxSize 10 → 25 (Released)']);
      assert.match(conditions(plan).CeilingsEnforced ?? '', /^True\/WithinCeilings: The one target is at or below its ceiling\.$/);
    });
    describe('a NodePool whose ceiling is raised', () => {
      const pool = (limits: Record<string, string>) => ({ name: 'np', limits, usage: { cpu: '40' }, record: { cpu: { original: '1000', clamped: '100' }, memory: { original: undefined, clamped: '400Gi' } } });
      const entry = (spec: Record<string, string>, limits: Record<string, string>) => ({ spec: { name: 'np', limits: spec }, found: pool(limits), resourceVersion: '1' });
      it('in DryRun says it would release each limit, up to what, and the recorded original', () => {
        const plan = planCeilings(observed([], { nodePools: [entry({ cpu: '250', memory: '800Gi' }, { cpu: '100', memory: '400Gi' })] }), {}, { nowMs: T0, act: false });
        assert.equal(
          conditions(plan, { mode: 'DryRun' }).CeilingsEnforced,
          'False/DryRun: DryRun: would change NodePool/np spec.limits.cpu 100 → 250, NodePool/np spec.limits.memory 400Gi → 800Gi. ' +
            'The ceiling of NodePool/np is now 250, above spec.limits.cpu 100, which CostGuard set (it was 1000 before): CostGuard would release it up to 250, the ceiling (its recorded original is 1000) (DryRun). ' +
            'The ceiling of NodePool/np is now 800Gi, above spec.limits.memory 400Gi, which CostGuard set (it was unset before): CostGuard would release it up to 800Gi, the ceiling (its recorded original is unset) (DryRun).',
        );
      });
      it('in Enforce releases in the same reconcile (events name each limit), then says nothing more', () => {
        const plan = planCeilings(observed([], { nodePools: [entry({ cpu: '2000' }, { cpu: '100', memory: '400Gi' })] }), {}, { nowMs: T0, act: true });
        // memory left the spec: its limit goes back to unset, as it was.
        assert.deepEqual(plan.findings.map((f) => f.message), ['NodePool/np: raised spec.limits.cpu 100 → 1000 (Released)', 'NodePool/np: raised spec.limits.memory 400Gi → unset (Released)']);
        assert.deepEqual(plan.raisedLimits, []);
      });
      it('while a hold keeps a limit low, says the hold keeps it and where the release goes', () => {
        const holds = [{ owner: 'runaway', target: 'NodePool/np', reason: 'brake', limits: { cpu: '100' } }];
        const plan = planCeilings(observed([], { nodePools: [entry({ cpu: '250' }, { cpu: '100' })] }), { holds } as never, { nowMs: T0, act: true });
        assert.equal(
          conditions(plan).CeilingsEnforced,
          "True/WithinCeilings: The one target is at or below its ceiling. The ceiling of NodePool/np is now 250, above spec.limits.cpu 100, which CostGuard set (it was 1000 before): a hold or another guard's lower ceiling keeps it at 100 for now; CostGuard releases it up to 250, the ceiling (its recorded original is 1000) once nothing holds it lower.",
        );
      });
    });
    it('DryRun above the ceiling is "above the ceiling", not "at"', () => {
      const plan = planCeilings(observed([{ spec: { name: 'g', maxSize: 5 }, found: [group('g', { desiredCapacity: 8 })] }]), {}, { nowMs: T0, act: false });
      assert.equal(conditions(plan, { mode: 'DryRun' }).CeilingReached, 'True/CeilingBinding: Above the ceiling and not clamped (DryRun): asg/g.');
    });
    it('CeilingReached stays True while the rate limit holds growth back, after the clamp', () => {
      const ceiling = { maxSize: 20, maxScaleOut: { instances: 2, perMs: 120_000 } };
      const spec = { value: 20, by: 'spec' };
      const clamp = decideGroup({ ceiling, cap: spec, observed: { name: 'g', minSize: 0, maxSize: 20, desiredCapacity: 1, inService: 1 }, memory: {} }, { nowMs: T0, act: true });
      assert.deepEqual(clamp.changes.map((c) => `${c.field} ${c.from}→${c.to} ${c.reason}`), ['MaxSize 20→3 ScaleOutRateLimited']);
      const held = decideGroup({ ceiling, cap: spec, observed: { name: 'g', minSize: 0, maxSize: 3, desiredCapacity: 3, inService: 3 }, record: clamp.record, memory: clamp.memory }, { nowMs: T0 + 30_000, act: true });
      assert.deepEqual([held.changes, held.binding], [[], true]);
    });
  });
});
