// The ceilings controller against a real API server and moto: Auto Scaling groups.
import assert from 'node:assert/strict';
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath } from '../../../src/runtime/kube/resource.ts';
import { SlackSink } from '../../support/slack-sink.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { createGuard, createNamespace, eventually, waitForEvents, getGuard, installCrds, moreReconciles, rest, startTestOperator, waitForCondition } from './helpers.ts';

describe('ceilings: Auto Scaling groups', function () {
  const aws = directClient();
  let ns: string;
  let operator: RunningOperator;
  const asg = (suffix: string): string => `${ns}-${suffix}`;
  const maxSizeOf = async (name: string): Promise<number | undefined> => (await readGroup(aws, name))?.MaxSize;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-asg');
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
  });

  it('clamps an over-ceiling group (MaxSize and DesiredCapacity) and records the original', async () => {
    await createGroups(aws, [{ name: asg('over'), maxSize: 40, desired: 30 }]);
    await createGuard(ns, 'over', { mode: 'Enforce', scalingGroups: [{ name: asg('over'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'over', { type: 'CeilingsEnforced', status: 'True' });
    const group = await readGroup(aws, asg('over'));
    assert.equal(group?.MaxSize, 20);
    assert.equal(group?.DesiredCapacity, 20);
    const entry = guard.status?.scalingGroups?.[0];
    assert.equal(entry?.originalMaxSize, 40);
    assert.equal(entry?.clamped, true);
    assert.match(entry?.lastAction?.message ?? '', /clamped MaxSize 40 → 20/);
    assert.equal(guard.status?.observedGeneration, guard.metadata.generation);
    const events = await waitForEvents(ns, 'over', 'CeilingClamped');
    assert.match(events[0]?.note ?? '', new RegExp(`asg/${asg('over')}`));
  });

  it('reports CeilingReached while desired sits at the ceiling', async () => {
    await createGroups(aws, [{ name: asg('full'), maxSize: 10, desired: 10 }]);
    await createGuard(ns, 'full', { mode: 'Enforce', scalingGroups: [{ name: asg('full'), maxSize: 10 }] });
    const guard = await waitForCondition(ns, 'full', { type: 'CeilingReached', status: 'True' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CeilingReached')?.message ?? '', new RegExp(asg('full')));
    const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_ceiling_binding');
    assert.match(metrics, new RegExp(`costguard_ceiling_binding\\{namespace="${ns}",name="full",target="asg/${asg('full')}"\\} 1`));
  });

  it('leaves a compliant group alone', async () => {
    await createGroups(aws, [{ name: asg('ok'), maxSize: 8, desired: 2 }]);
    await createGuard(ns, 'ok', { mode: 'Enforce', scalingGroups: [{ name: asg('ok'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'ok', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal(await maxSizeOf(asg('ok')), 8);
    assert.equal(guard.status?.scalingGroups?.[0]?.clamped, false);
    assert.equal(guard.status?.scalingGroups?.[0]?.lastAction, undefined);
    assert.equal(guard.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  it('reverts drift: a MaxSize raised again after the clamp goes back, with an alert naming it', async () => {
    const sink = await new SlackSink().start();
    try {
      await rest().create(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'drift-slack' }, stringData: { url: sink.url } });
      await createGroups(aws, [{ name: asg('drift'), maxSize: 30 }]);
      await createGuard(ns, 'drift', {
        mode: 'Enforce',
        scalingGroups: [{ name: asg('drift'), maxSize: 12 }],
        alerts: { slack: { webhookSecretRef: { name: 'drift-slack', key: 'url' } } },
      });
      await revertsDrift();
      await sink.waitFor('the drift message', (r) => r.length === 1);
      const body = sink.requests[0]?.body as { text: string };
      assert.match(body.text, new RegExp(`FIRING: asg/${asg('drift')} was raised above its ceiling and reverted`));
      assert.match(JSON.stringify(sink.requests[0]?.body), /MaxSize was raised to 50 \(CostGuard set 12( at .+)?\); reverted to 12/);
    } finally {
      await sink.stop();
    }
  });

  async function revertsDrift(): Promise<void> {
    await eventually('first clamp', async () => (await maxSizeOf(asg('drift'))) === 12);
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('drift'), MaxSize: 50 }));
    const events = await waitForEvents(ns, 'drift', 'DriftReverted');
    assert.match(events[0]?.note ?? '', /MaxSize was raised to 50 \(CostGuard set 12( at .+)?\); reverted to 12/);
    assert.equal(await maxSizeOf(asg('drift')), 12);
    const guard = await waitForCondition(ns, 'drift', { type: 'CeilingsEnforced', status: 'True', reason: 'DriftReverted' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CeilingsEnforced')?.message ?? '', new RegExp(`asg/${asg('drift')}`));
    assert.equal(guard.status?.scalingGroups?.[0]?.lastAction?.reason, 'Drift');
    assert.equal(guard.status?.scalingGroups?.[0]?.originalMaxSize, 30, 'the pre-clamp original survives drift');
    const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_clamps_total');
    assert.match(metrics, new RegExp(`costguard_clamps_total\\{namespace="${ns}",name="drift",reason="Drift"\\} [1-9]`));
  }

  it('rate-limits scale-out by holding MaxSize at the lowest desired of the period + N; a jump in between is held back', async () => {
    await createGroups(aws, [{ name: asg('rate'), maxSize: 50, desired: 4 }]);
    await createGuard(ns, 'rate', { mode: 'Enforce', scalingGroups: [{ name: asg('rate'), maxSize: 50, maxScaleOut: { instances: 3, per: '1h' } }] });
    await eventually('MaxSize held at 4 + 3', async () => (await maxSizeOf(asg('rate'))) === 7);
    const guard = await eventually('the rate-limit clamp in status', async () => {
      const g = await getGuard(ns, 'rate');
      return /MaxSize 50 → 7 \(ScaleOutRateLimited\)/.test(g.status?.scalingGroups?.[0]?.lastAction?.message ?? '') ? g : undefined;
    });
    assert.equal(guard.status?.scalingGroups?.[0]?.scaleOutHistory?.[0]?.desired, 4);
    assert.equal(guard.status?.scalingGroups?.[0]?.originalMaxSize, 50);
    // Every write is visible: the rate-limit clamp is an event naming maxScaleOut.
    const clamped = await waitForEvents(ns, 'rate', 'CeilingClamped');
    assert.deepEqual(clamped.map((e) => e.note), [`asg/${asg('rate')}: clamped MaxSize 50 → 7 (ScaleOutRateLimited) (held by the scale-out rate limit, maxScaleOut 3 per 1h)`]);
    // A hand raise back to the original, once CostGuard's 7 stood: drift, reverted by the rate limit, and said so.
    await eventually('status saw 7 standing', async () => (await getGuard(ns, 'rate')).status?.scalingGroups?.[0]?.clamped === true);
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('rate'), MaxSize: 50 }));
    const drift = await waitForEvents(ns, 'rate', 'DriftReverted');
    assert.match(drift[0]?.note ?? '', new RegExp(`^asg/${asg('rate')}: MaxSize was raised to 50 \\(CostGuard set 7 at .+\\); reverted to 7 \\(held by the scale-out rate limit, maxScaleOut 3 per 1h\\)$`));
    await eventually('back to 7', async () => (await maxSizeOf(asg('rate'))) === 7);
    // Someone lifts MaxSize and scales to 19 between two resyncs: MaxSize goes back to 7 and
    // AWS brings DesiredCapacity down with it.
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('rate'), MaxSize: 50, DesiredCapacity: 19 }));
    await eventually('held back to the rate', async () => {
      const g = await readGroup(aws, asg('rate'));
      return g?.MaxSize === 7 && g.DesiredCapacity === 7;
    });
  });

  it('in DryRun reports every action and changes nothing', async () => {
    await createGroups(aws, [{ name: asg('dry'), maxSize: 40, desired: 30 }]);
    await createGuard(ns, 'dry', { mode: 'DryRun', scalingGroups: [{ name: asg('dry'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'dry', { type: 'CeilingsEnforced', status: 'False', reason: 'DryRun' });
    const group = await readGroup(aws, asg('dry'));
    assert.equal(group?.MaxSize, 40);
    assert.equal(group?.DesiredCapacity, 30);
    assert.match(guard.status?.scalingGroups?.[0]?.lastAction?.message ?? '', /would clamp MaxSize 40 → 20 .*\(DryRun\)/);
    assert.equal(guard.status?.scalingGroups?.[0]?.originalMaxSize, undefined);
    const events = await waitForEvents(ns, 'dry', 'WouldClamp');
    assert.equal(events.length, 1, 'MaxSize only: AWS lowers DesiredCapacity with it, so CostGuard never sends an older desired');
    // Resyncs every second find the same would-be clamps: status is not rewritten for them.
    // (Once the cost controller has published its estimate too, the guard is quiet.)
    const before = (await eventually('status.cost', async () => {
      const g = await getGuard(ns, 'dry');
      return g.status?.cost?.updatedAt ? g : undefined;
    })).metadata.resourceVersion;
    // Counted, not slept: at least three more reconciles of this guard's controller happen.
    await moreReconciles(operator, 3);
    assert.equal((await getGuard(ns, 'dry')).metadata.resourceVersion, before);
  });

  it('changes nothing while paused, and acts once the annotation is removed', async () => {
    await createGroups(aws, [{ name: asg('paused'), maxSize: 40 }]);
    await createGuard(ns, 'paused', { mode: 'Enforce', scalingGroups: [{ name: asg('paused'), maxSize: 20 }] }, { 'costguard.io/paused': 'true' });
    await waitForCondition(ns, 'paused', { type: 'CeilingsEnforced', status: 'False', reason: 'Paused' });
    await moreReconciles(operator, 3);
    assert.equal(await maxSizeOf(asg('paused')), 40, 'three resyncs while paused and still untouched');
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'paused'), { metadata: { annotations: { 'costguard.io/paused': null } } }, 'application/merge-patch+json');
    await eventually('clamped after unpause', async () => (await maxSizeOf(asg('paused'))) === 20);
  });

  it('selects groups by tags among many and clamps only those', async () => {
    const team = `t-${ns}`;
    const tagsFor = (i: number): Record<string, string> => (i < 3 ? { team, env: 'prod' } : i < 6 ? { team, env: 'dev' } : i < 8 ? { team: 'other', env: 'prod' } : {});
    const specs = Array.from({ length: 12 }, (_, i) => ({ name: asg(`tag-${i}`), maxSize: 40, tags: tagsFor(i) }));
    await createGroups(aws, specs);
    await createGuard(ns, 'tags', { mode: 'Enforce', scalingGroups: [{ tagSelector: { team, env: 'prod' }, maxSize: 10 }] });
    const guard = await waitForCondition(ns, 'tags', { type: 'CeilingsEnforced', status: 'True' });
    assert.deepEqual(guard.status?.scalingGroups?.map((g) => g.name), [asg('tag-0'), asg('tag-1'), asg('tag-2')]);
    const sizes = await Promise.all(specs.map((s) => maxSizeOf(s.name)));
    assert.deepEqual(sizes, [10, 10, 10, 40, 40, 40, 40, 40, 40, 40, 40, 40]);
  });

  it('gives a guard whose group does not exist a clear condition, not a crash loop', async () => {
    await createGuard(ns, 'missing', { mode: 'Enforce', scalingGroups: [{ name: asg('nope'), maxSize: 5 }] });
    const guard = await waitForCondition(ns, 'missing', { type: 'Degraded', status: 'True', reason: 'TargetNotFound' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CeilingsEnforced')?.message ?? '', new RegExp(`asg/${asg('nope')}`));
    assert.equal(guard.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });

  it('restores the recorded originals on delete with onDelete Restore, and Keep leaves them', async () => {
    await createGroups(aws, [{ name: asg('restore'), maxSize: 40 }, { name: asg('keep'), maxSize: 40 }]);
    await createGuard(ns, 'restore', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: asg('restore'), maxSize: 15 }] });
    await createGuard(ns, 'keep', { mode: 'Enforce', scalingGroups: [{ name: asg('keep'), maxSize: 15 }] });
    await eventually('both clamped', async () => (await maxSizeOf(asg('restore'))) === 15 && (await maxSizeOf(asg('keep'))) === 15);
    await waitForCondition(ns, 'restore', { type: 'CeilingsEnforced', status: 'True' });
    await waitForCondition(ns, 'keep', { type: 'CeilingsEnforced', status: 'True' });
    for (const name of ['restore', 'keep']) await rest().delete(objectPath(COSTGUARD_RESOURCE, ns, name));
    await eventually('both guards gone', async () => {
      const left = await Promise.all(['restore', 'keep'].map((n) => getGuard(ns, n).then(() => true, () => false)));
      return left.every((present) => !present);
    });
    assert.equal(await maxSizeOf(asg('restore')), 40);
    assert.equal(await maxSizeOf(asg('keep')), 15);
  });
});
