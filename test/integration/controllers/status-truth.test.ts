// What a user reads in `kubectl describe` and `kubectl get`, compared as text against a real
// API server and moto: no silent Ready, no stale or wrong message.
import assert from 'node:assert/strict';
import { SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { isKindMissing } from '../../../src/controllers/targets/observe.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { condition, createGuard, createNamespace, eventually, eventsFor, getGuard, installCrds, kubectl, moreReconciles, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';
import { createNodePool } from './peer-objects.ts';

const DEFAULT_SCOPE = "region us-east-1 (the operator's default: the guard has no spec.aws), the operator's account";
const CHECK = 'Check the names, the region, the role and the namespace.';

describe('status that tells the truth', function () {
  const aws = directClient();
  let ns: string;
  let operator: RunningOperator;
  const asg = (suffix: string): string => `${ns}-${suffix}`;
  const text = (guard: CostGuard, type: string): string => {
    const c = condition(guard, type);
    return c ? `${c.status}/${c.reason}: ${c.message}` : '(absent)';
  };
  const patchGuard = (name: string, patch: Record<string, unknown>) =>
    rest().patch(objectPath(COSTGUARD_RESOURCE, ns, name), patch, 'application/merge-patch+json');
  const notes = async (name: string, reason: string): Promise<string[]> =>
    (await eventsFor(ns, name)).filter((e) => e.reason === reason).map((e) => `${e.type}: ${e.note}`);

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('truth');
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
  });

  it('keeps Ready False while a section of the spec is not working, naming it, and True once it is gone', async () => {
    await createGroups(aws, [{ name: asg('sections'), maxSize: 5 }]);
    await createGuard(ns, 'sections', {
      mode: 'Enforce',
      scalingGroups: [{ name: asg('sections'), maxSize: 10 }],
      alerts: { slack: { webhookSecretRef: { name: 'no-such-secret', key: 'url' } }, repeatInterval: '1h' },
    });
    const guard = await waitForCondition(ns, 'sections', { type: 'Ready', status: 'False', reason: 'SecretNotFound' });
    assert.match(text(guard, 'Ready'), /^False\/SecretNotFound: AlertsReady: /);
    assert.match(text(guard, 'AlertsReady'), /^False\/SecretNotFound: .*no-such-secret/);
    await patchGuard('sections', { spec: { alerts: null } });
    const after = await eventually('Ready once the failing section is gone', async () => {
      const g = await getGuard(ns, 'sections');
      return text(g, 'AlertsReady') === '(absent)' && text(g, 'Ready').startsWith('True/') ? g : undefined;
    });
    assert.equal(text(after, 'Ready'), 'True/Ready: All checks pass.');
    assert.equal(text(after, 'CeilingsEnforced'), 'True/WithinCeilings: The one target is at or below its ceiling.');
  });

  it('warns when a tag selector matches nothing, naming the selector, the region and the account', async () => {
    await createGuard(ns, 'typo', { mode: 'Enforce', scalingGroups: [{ tagSelector: { team: `paymnets-${ns}` }, maxSize: 10 }] });
    const guard = await waitForCondition(ns, 'typo', { type: 'CeilingsEnforced', status: 'False', reason: 'NoTargetsMatched' });
    const message = `No Auto Scaling group matched tagSelector {team: paymnets-${ns}} in ${DEFAULT_SCOPE}. Check the tags, the region and the role.`;
    assert.equal(text(guard, 'CeilingsEnforced'), `False/NoTargetsMatched: ${message}`);
    assert.equal(text(guard, 'Degraded'), `True/NoTargetsMatched: ${message}`);
    assert.equal(text(guard, 'Ready'), `False/NoTargetsMatched: Degraded: ${message}`);
    await waitForEvents(ns, 'typo', 'NoTargetsMatched');
    assert.deepEqual(await notes('typo', 'NoTargetsMatched'), [`Warning: ${message}`]);
    const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_selectors_unmatched');
    assert.match(metrics, new RegExp(`^costguard_selectors_unmatched\\{namespace="${ns}",name="typo"\\} 1$`, 'm'));
    // A group with the tag appears: the selector matches, the gauge goes back to 0.
    await createGroups(aws, [{ name: asg('typo'), maxSize: 5, tags: { team: `paymnets-${ns}` } }]);
    await patchGuard('typo', { metadata: { annotations: { touched: '1' } } });
    await waitForCondition(ns, 'typo', { type: 'CeilingsEnforced', status: 'True' });
    const after = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_selectors_unmatched');
    assert.match(after, new RegExp(`^costguard_selectors_unmatched\\{namespace="${ns}",name="typo"\\} 0$`, 'm'));
  });

  it('names where it looked for every target that is not found, and ends with the same advice', async () => {
    await createGuard(ns, 'gone', {
      mode: 'Enforce',
      aws: { region: 'us-east-1' },
      scalingGroups: [{ name: asg('nope'), maxSize: 5 }],
      workloads: [{ kind: 'HorizontalPodAutoscaler', name: 'nope', maxReplicas: 3 }],
      nodePools: [{ name: `${ns}-nope`, limits: { cpu: '10' } }],
    });
    const guard = await waitForCondition(ns, 'gone', { type: 'CeilingsEnforced', status: 'False', reason: 'TargetNotFound' });
    const message = `Not found: asg/${asg('nope')} in region us-east-1, the operator's account; HorizontalPodAutoscaler/nope in namespace ${ns}; NodePool/${ns}-nope. ${CHECK}`;
    assert.equal(text(guard, 'CeilingsEnforced'), `False/TargetNotFound: ${message}`);
    assert.equal(text(guard, 'Degraded'), `True/TargetNotFound: ${message}`);
    await waitForEvents(ns, 'gone', 'TargetNotFound');
    assert.deepEqual(await notes('gone', 'TargetNotFound'), [`Warning: ${message}`]);
  });

  it('tells a kind the API server does not serve (CRD not installed) from an object that does not exist', async () => {
    const missingKind = await rest().get('/apis/nothere.costguard.io/v1/namespaces/default/widgets/x').then(() => undefined, (err: unknown) => err);
    assert.equal(isKindMissing(missingKind), true);
    const missingObject = await rest().get(`/apis/karpenter.sh/v1/nodepools/${ns}-nope`).then(() => undefined, (err: unknown) => err);
    assert.equal(isKindMissing(missingObject), false);
  });

  it('accepts exactly "true" for pause: any other value warns, and the guard keeps enforcing', async () => {
    await createGroups(aws, [{ name: asg('yes'), maxSize: 40 }]);
    await createGuard(ns, 'yes', { mode: 'Enforce', scalingGroups: [{ name: asg('yes'), maxSize: 20 }] }, { 'costguard.io/paused': 'yes' });
    const guard = await waitForCondition(ns, 'yes', { type: 'Degraded', status: 'True', reason: 'InvalidPause' });
    const message = 'costguard.io/paused is "yes"; only "true" pauses a guard, so CostGuard keeps enforcing. Set it to "true" to pause, or remove it.';
    assert.equal(text(guard, 'Degraded'), `True/InvalidPause: ${message}`);
    assert.equal(guard.status?.effectiveMode, 'Enforce');
    await waitForEvents(ns, 'yes', 'InvalidPause');
    assert.deepEqual(await notes('yes', 'InvalidPause'), [`Warning: ${message}`]);
    await eventually('clamped despite the annotation', async () => (await readGroup(aws, asg('yes')))?.MaxSize === 20);
  });

  it('while paused says Paused (condition, events, MODE column) and names each pending target once', async () => {
    await createGroups(aws, [{ name: asg('paused'), maxSize: 40, desired: 30 }]);
    await createGuard(ns, 'paused', { mode: 'Enforce', scalingGroups: [{ name: asg('paused'), maxSize: 20 }] }, { 'costguard.io/paused': 'true' });
    const guard = await waitForCondition(ns, 'paused', { type: 'CeilingsEnforced', status: 'False', reason: 'Paused' });
    const ref = `asg/${asg('paused')}`;
    assert.equal(text(guard, 'CeilingsEnforced'), `False/Paused: Paused: costguard.io/paused is "true", so CostGuard observes and changes nothing; would change ${ref} MaxSize 40 → 20 (Paused).`);
    assert.equal(text(guard, 'CeilingReached'), `True/CeilingBinding: Above the ceiling and not clamped (Paused): ${ref}.`);
    assert.equal(guard.status?.effectiveMode, 'Paused');
    // MaxSize only: AWS lowers DesiredCapacity with it, so CostGuard never sends a desired.
    await waitForEvents(ns, 'paused', 'WouldClamp', 1);
    assert.deepEqual(await notes('paused', 'WouldClamp'), [`Normal: ${ref}: would clamp MaxSize 40 → 20 (AboveCeiling) (Paused)`]);
    const table = await kubectl(['get', 'costguard', 'paused', '-n', ns]);
    const [header, row] = table.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.equal(row?.[header!.indexOf('MODE')], 'Paused', table);
    await moreReconciles(operator, 3);
    assert.equal((await readGroup(aws, asg('paused')))?.MaxSize, 40, 'three resyncs while paused and still untouched');
    assert.equal((await notes('paused', 'WouldClamp')).length, 1, 'each pending target named once, not once per resync');
  });

  it('says what CostGuard set and when on drift, and moves lastAction.time on a second revert', async () => {
    await createGroups(aws, [{ name: asg('drift'), maxSize: 40 }]);
    // A raise to exactly the original (40) reads as a clamp that never landed, not as drift.
    await createGuard(ns, 'drift', { mode: 'Enforce', scalingGroups: [{ name: asg('drift'), maxSize: 20 }] });
    const clamped = await waitForCondition(ns, 'drift', { type: 'CeilingsEnforced', status: 'True' });
    const setAt = clamped.status?.scalingGroups?.[0]?.lastAction?.time;
    assert.equal(clamped.status?.scalingGroups?.[0]?.lastAction?.message, 'clamped MaxSize 40 → 20 (AboveCeiling)');
    // The time is also on the group, beside the value: a status write another controller wins cannot lose it.
    const tags = (await readGroup(aws, asg('drift')))?.Tags ?? [];
    assert.equal(tags.find((t) => t.Key === 'costguard.io/clamped-at')?.Value, setAt);
    // Times have seconds precision: a revert in the clamp's own second would name the same time,
    // and the second drift's event would read as the first (events are deduped by message).
    await eventually('a later second than the clamp', () => Date.now() >= Date.parse(setAt ?? '') + 1000, 5_000, 20);
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('drift'), MaxSize: 45 }));
    await waitForEvents(ns, 'drift', 'DriftReverted');
    assert.deepEqual(await notes('drift', 'DriftReverted'), [`Warning: asg/${asg('drift')}: MaxSize was raised to 45 (CostGuard set 20 at ${setAt}); reverted to 20`]);
    // The event goes out before the status write (a 409 there must not lose it): wait for both.
    const first = await eventually('the revert in status', async () => {
      const last = (await getGuard(ns, 'drift')).status?.scalingGroups?.[0]?.lastAction;
      return last?.reason === 'Drift' ? last : undefined;
    });
    assert.equal(first.message, 'clamped MaxSize 45 → 20 (Drift)');
    // lastAction times have seconds precision: raise again in a later second (the clock, polled).
    await eventually('a later second', () => Date.now() >= Date.parse(first?.time ?? '') + 1000, 5_000, 20);
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('drift'), MaxSize: 45 }));
    await waitForEvents(ns, 'drift', 'DriftReverted', 2);
    const second = await eventually('the second revert in status', async () => {
      const last = (await getGuard(ns, 'drift')).status?.scalingGroups?.[0]?.lastAction;
      return last?.time !== first.time ? last : undefined;
    });
    assert.notEqual(second?.time, first?.time);
    assert.ok(Date.parse(second?.time ?? '') > Date.parse(first?.time ?? ''));
    assert.ok((await notes('drift', 'DriftReverted')).includes(`Warning: asg/${asg('drift')}: MaxSize was raised to 45 (CostGuard set 20 at ${first?.time ?? '?'}); reverted to 20`));
  });

  it('after an unpause, drift names the value and time of CostGuard\'s own write, not what it saw while paused', async () => {
    await createGroups(aws, [{ name: asg('unpause'), maxSize: 40 }]);
    await createGuard(ns, 'unpause', { mode: 'Enforce', scalingGroups: [{ name: asg('unpause'), maxSize: 20 }] });
    const clamped = await waitForCondition(ns, 'unpause', { type: 'CeilingsEnforced', status: 'True' });
    const setAt = clamped.status?.scalingGroups?.[0]?.maxSizeSet?.time;
    assert.deepEqual(clamped.status?.scalingGroups?.[0]?.maxSizeSet?.value, 20);
    await patchGuard('unpause', { metadata: { annotations: { 'costguard.io/paused': 'true' } } });
    await waitForCondition(ns, 'unpause', { type: 'CeilingsEnforced', status: 'False', reason: 'Paused' });
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('unpause'), MaxSize: 45 }));
    await eventually('the paused guard sees the raise', async () => (await getGuard(ns, 'unpause')).status?.scalingGroups?.[0]?.maxSize === 45);
    await patchGuard('unpause', { metadata: { annotations: { 'costguard.io/paused': null } } });
    await waitForEvents(ns, 'unpause', 'DriftReverted');
    assert.deepEqual(await notes('unpause', 'DriftReverted'), [`Warning: asg/${asg('unpause')}: MaxSize was raised to 45 (CostGuard set 20 at ${setAt}); reverted to 20`]);
  });

  it('keeps CeilingReached True while the scale-out rate limit holds growth back', async () => {
    await createGroups(aws, [{ name: asg('rate'), maxSize: 50, desired: 1 }]);
    await createGuard(ns, 'rate', { mode: 'Enforce', scalingGroups: [{ name: asg('rate'), maxSize: 50, maxScaleOut: { instances: 2, per: '1h' } }] });
    await waitForCondition(ns, 'rate', { type: 'CeilingsEnforced', status: 'True' });
    // The rate limit caps MaxSize at the period's lowest desired (1) + 2; the group's own
    // scaling then grows to that cap and no further.
    await eventually('the rate-limit cap on MaxSize', async () => (await readGroup(aws, asg('rate')))?.MaxSize === 3);
    await aws.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: asg('rate'), DesiredCapacity: 3 }));
    const reconciles = async (): Promise<number> => {
      const metric = await operator.manager.metrics.registry.getSingleMetric('costguard_reconcile_total')?.get();
      return (metric?.values ?? []).filter((v) => v.labels.controller === 'ceilings').reduce((n, v) => n + v.value, 0);
    };
    const at = await reconciles();
    // Several resyncs after the clamp (a positive signal), the limit still holds growth back.
    await eventually('more resyncs of every guard', async () => (await reconciles()) >= at + 40, 30_000);
    const guard = await getGuard(ns, 'rate');
    assert.equal(text(guard, 'CeilingReached'), `True/CeilingBinding: Demand is held back by a ceiling or the scale-out rate limit: asg/${asg('rate')}.`);
  });

  it('in DryRun, a group above its ceiling is "above the ceiling", not "at"', async () => {
    await createGroups(aws, [{ name: asg('dry'), maxSize: 40, desired: 30 }]);
    await createGuard(ns, 'dry', { mode: 'DryRun', scalingGroups: [{ name: asg('dry'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'dry', { type: 'CeilingReached', status: 'True' });
    assert.equal(text(guard, 'CeilingReached'), `True/CeilingBinding: Above the ceiling and not clamped (DryRun): asg/${asg('dry')}.`);
    assert.equal(guard.status?.effectiveMode, 'DryRun');
  });

  it('after a ceiling is raised, releases MaxSize up to it (never above the original) and says so', async () => {
    await createGroups(aws, [{ name: asg('raise'), maxSize: 40 }]);
    await createGuard(ns, 'raise', { mode: 'Enforce', scalingGroups: [{ name: asg('raise'), maxSize: 10 }] });
    await eventually('clamped to 10', async () => (await readGroup(aws, asg('raise')))?.MaxSize === 10);
    await waitForCondition(ns, 'raise', { type: 'CeilingsEnforced', status: 'True' });
    await patchGuard('raise', { spec: { scalingGroups: [{ name: asg('raise'), maxSize: 25 }] } });
    await eventually('released to 25', async () => (await readGroup(aws, asg('raise')))?.MaxSize === 25);
    // The event follows the write (events are sent after AWS answered): wait for it, then read its text.
    await waitForEvents(ns, 'raise', 'CeilingReleased');
    assert.deepEqual(await notes('raise', 'CeilingReleased'), [`Normal: asg/${asg('raise')}: raised MaxSize 10 → 25 (Released)`]);
    await patchGuard('raise', { spec: { scalingGroups: [{ name: asg('raise'), maxSize: 60 }] } });
    await eventually('back to the original 40, not 60', async () => (await readGroup(aws, asg('raise')))?.MaxSize === 40);
    const guard = await eventually('the record gone from status', async () => {
      const g = await getGuard(ns, 'raise');
      return g.status?.scalingGroups?.[0]?.maxSize === 40 && g.status.scalingGroups[0].originalMaxSize === undefined ? g : undefined;
    });
    assert.equal(text(guard, 'CeilingsEnforced'), 'True/WithinCeilings: The one target is at or below its ceiling.');
  });

  it('a NodePool whose ceiling is raised: DryRun says it would release the limit, up to what, and the original; Enforce releases it', async () => {
    const name = `${ns}-raise`;
    await createNodePool(name, { limits: { cpu: '1000' } });
    const limits = async (): Promise<Record<string, unknown> | undefined> => (await rest().get<{ spec?: { limits?: Record<string, unknown> } }>(objectPath(Resources.karpenterNodePools, undefined, name))).spec?.limits;
    await createGuard(ns, 'np-raise', { mode: 'Enforce', nodePools: [{ name, limits: { cpu: '100' } }] });
    await eventually('clamped to 100', async () => (await limits())?.cpu === '100');
    await patchGuard('np-raise', { spec: { mode: 'DryRun', nodePools: [{ name, limits: { cpu: '250' } }] } });
    const dry = await waitForCondition(ns, 'np-raise', { type: 'CeilingsEnforced', status: 'False', reason: 'DryRun' });
    assert.equal(
      text(dry, 'CeilingsEnforced'),
      `False/DryRun: DryRun: would change NodePool/${name} spec.limits.cpu 100 → 250. The ceiling of NodePool/${name} is now 250, above spec.limits.cpu 100, which CostGuard set (it was 1000 before): ` +
        'CostGuard would release it up to 250, the ceiling (its recorded original is 1000) (DryRun).',
    );
    assert.equal((await limits())?.cpu, '100', 'DryRun writes nothing');
    await patchGuard('np-raise', { spec: { mode: 'Enforce' } });
    await eventually('released to 250', async () => (await limits())?.cpu === '250');
    await waitForEvents(ns, 'np-raise', 'CeilingReleased');
    assert.deepEqual(await notes('np-raise', 'CeilingReleased'), [`Normal: NodePool/${name}: raised spec.limits.cpu 100 → 250 (Released)`]);
    const after = await waitForCondition(ns, 'np-raise', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal(text(after, 'CeilingsEnforced'), 'True/WithinCeilings: The one target is at or below its ceiling.');
  });
});
