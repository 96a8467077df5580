// The ceilings controller against the peers' real CRDs (Karpenter v1.14, KEDA v2.20, fetched by
// make peer-crds): what their validation refuses, where a ScaledObject's replicas live, and
// KEDA's ScaledJob guarded like a ScaledObject. Also a write the API server refuses as invalid
// (an HPA's maxReplicas below its minReplicas): reported once, not retried in a loop.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath, Resources, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { condition, createGuard, createNamespace, eventsFor, eventually, getGuard, installCrds, moreReconciles, rest, startTestOperator, waitForCondition } from './helpers.ts';
import { createKedaHpa, createNodePool, createScaledJob, createScaledJobJob, createScaledObject, setHpaReplicas } from './peer-objects.ts';

type Obj = { spec?: Record<string, unknown> };

async function specOf(resource: ResourceType, namespace: string | undefined, name: string): Promise<Record<string, unknown>> {
  return (await rest().get<Obj>(objectPath(resource, namespace, name))).spec ?? {};
}

async function reconcileErrors(operator: RunningOperator): Promise<number> {
  const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_errors_total');
  return Number(/controller="ceilings"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
}

async function eventCount(namespace: string, guard: string, reason: string): Promise<number> {
  return (await eventsFor(namespace, guard)).filter((e) => e.reason === reason).length;
}

describe('ceilings: the peers\' real CRDs', function () {
  let ns: string;
  let operator: RunningOperator;
  const pool = (suffix: string): string => `${ns}-${suffix}`;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-peers');
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
  });

  it('a ScaledObject whose minReplicaCount is above the ceiling: nothing written, the condition names minReplicaCount, no retry loop', async () => {
    await createScaledObject(ns, 'floor', { minReplicaCount: 25 });
    // KEDA's own rule, as the API server applies it: the write CostGuard must not send.
    const refused = await rest().patch(objectPath(Resources.kedaScaledObjects, ns, 'floor'), { spec: { maxReplicaCount: 20 } }, ContentType.mergePatch).then(() => undefined, (err: unknown) => err);
    assert.match(String(refused), /422.*minReplicaCount must be less than or equal to maxReplicaCount/);
    await createGuard(ns, 'floor', { mode: 'Enforce', workloads: [{ kind: 'ScaledObject', name: 'floor', maxReplicas: 20 }] });
    const guard = await waitForCondition(ns, 'floor', { type: 'CeilingsEnforced', status: 'False', reason: 'CeilingNotApplicable' });
    assert.match(condition(guard, 'CeilingsEnforced')?.message ?? '', /ScaledObject\/floor: minReplicaCount 25 is above the ceiling 20.*Lower minReplicaCount to 20 or less, or raise the ceiling/);
    const errorsBefore = await reconcileErrors(operator);
    await moreReconciles(operator, 5);
    assert.equal(await reconcileErrors(operator), errorsBefore, 'no reconcile failed');
    assert.equal(await eventCount(ns, 'floor', 'CeilingNotApplicable'), 1);
    assert.equal((await specOf(Resources.kedaScaledObjects, ns, 'floor')).maxReplicaCount, undefined, 'maxReplicaCount untouched');
    assert.equal((await specOf(Resources.kedaScaledObjects, ns, 'floor')).minReplicaCount, 25, 'minReplicaCount untouched');
    // The owner lowers the floor: the ceiling applies at once.
    await rest().patch(objectPath(Resources.kedaScaledObjects, ns, 'floor'), { spec: { minReplicaCount: 2 } }, ContentType.mergePatch);
    await waitForCondition(ns, 'floor', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal((await specOf(Resources.kedaScaledObjects, ns, 'floor')).maxReplicaCount, 20);
  });

  it('a static NodePool: only limits.nodes is sent, and the condition says cpu does not apply', async () => {
    const name = pool('static');
    await createNodePool(name, { replicas: 3, limits: { nodes: '10' } });
    await createGuard(ns, 'static', { mode: 'Enforce', onDelete: 'Restore', nodePools: [{ name, limits: { cpu: '100', nodes: '4' } }] });
    const guard = await waitForCondition(ns, 'static', { type: 'CeilingsEnforced', status: 'False', reason: 'CeilingNotApplicable' });
    assert.deepEqual((await specOf(Resources.karpenterNodePools, undefined, name)).limits, { nodes: '4' }, 'the nodes clamp went through, cpu never sent');
    assert.equal(
      condition(guard, 'CeilingsEnforced')?.message,
      `NodePool/${name}: cpu ceiling does not apply to a static NodePool (spec.replicas set; Karpenter accepts only limits.nodes there).`,
    );
    assert.deepEqual(guard.status?.nodePools?.[0]?.originalLimits, { nodes: '10' });
    assert.equal(condition(guard, 'Degraded')?.status, 'False');
    assert.equal(await eventCount(ns, 'static', 'ClampFailed'), 0);
    await rest().delete(objectPath(COSTGUARD_RESOURCE, ns, 'static'));
    await eventually('guard gone', async () => getGuard(ns, 'static').then(() => false, () => true));
    assert.deepEqual((await specOf(Resources.karpenterNodePools, undefined, name)).limits, { nodes: '10' }, 'restored');
  });

  it('a ScaledObject\'s replicas come from the HPA KEDA made for it: CeilingReached at 20 of 20', async () => {
    await createScaledObject(ns, 'busy', { maxReplicaCount: 20 });
    await createKedaHpa(ns, 'busy', { maxReplicas: 20, currentReplicas: 12 });
    await createGuard(ns, 'busy', { mode: 'Enforce', workloads: [{ kind: 'ScaledObject', name: 'busy', maxReplicas: 20 }] });
    const below = await eventually('12 replicas observed', async () => {
      const g = await getGuard(ns, 'busy');
      return g.status?.workloads?.[0]?.replicas === 12 ? g : undefined;
    });
    assert.equal(condition(below, 'CeilingReached')?.status, 'False');
    await setHpaReplicas(ns, 'keda-hpa-busy', 20);
    const reached = await waitForCondition(ns, 'busy', { type: 'CeilingReached', status: 'True', reason: 'CeilingBinding' });
    assert.match(condition(reached, 'CeilingReached')?.message ?? '', /ScaledObject\/busy/);
    assert.equal(reached.status?.workloads?.[0]?.replicas, 20);
  });

  it('a ScaledJob: maxReplicaCount clamped with its original recorded, drift reverted, replicas its unfinished Jobs, restored on delete', async () => {
    await createScaledJob(ns, 'sqs-jobs');
    for (const job of ['sqs-jobs-a', 'sqs-jobs-b', 'sqs-jobs-c']) await createScaledJobJob(ns, 'sqs-jobs', job);
    // A Job of another ScaledJob is not counted.
    await createScaledJobJob(ns, 'other', 'other-a');
    await createGuard(ns, 'jobs', { mode: 'Enforce', onDelete: 'Restore', workloads: [{ kind: 'ScaledJob', name: 'sqs-jobs', maxReplicas: 15 }] });
    const guard = await waitForCondition(ns, 'jobs', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal((await specOf(Resources.kedaScaledJobs, ns, 'sqs-jobs')).maxReplicaCount, 15, 'an unset maxReplicaCount (KEDA default 100) is set');
    const status = guard.status?.workloads?.[0];
    assert.deepEqual([status?.kind, status?.originalMaxReplicas, status?.replicas], ['ScaledJob', 100, 3]);
    await rest().patch(objectPath(Resources.kedaScaledJobs, ns, 'sqs-jobs'), { spec: { maxReplicaCount: 60 } }, ContentType.mergePatch);
    await eventually('drift reverted', async () => (await specOf(Resources.kedaScaledJobs, ns, 'sqs-jobs')).maxReplicaCount === 15);
    await rest().delete(objectPath(COSTGUARD_RESOURCE, ns, 'jobs'));
    await eventually('guard gone', async () => getGuard(ns, 'jobs').then(() => false, () => true));
    assert.equal((await specOf(Resources.kedaScaledJobs, ns, 'sqs-jobs')).maxReplicaCount, undefined, 'restored to unset');
  });

  it('a write the API server refuses as invalid: a False condition and one event, no retry loop; sent again when the target changes', async () => {
    // The HPA's own validation: maxReplicas may not be below minReplicas (422).
    await rest().create(collectionPath(Resources.horizontalPodAutoscalers, ns), {
      metadata: { name: 'floored' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'floored' }, minReplicas: 30, maxReplicas: 50 },
    });
    await createGuard(ns, 'refused', { mode: 'Enforce', workloads: [{ kind: 'HorizontalPodAutoscaler', name: 'floored', maxReplicas: 10 }] });
    const guard = await waitForCondition(ns, 'refused', { type: 'CeilingsEnforced', status: 'False', reason: 'ActionFailed' });
    assert.match(condition(guard, 'CeilingsEnforced')?.message ?? '', /HorizontalPodAutoscaler\/floored: refused as invalid: .*422.*sent again when the guard or the target changes/);
    const errorsBefore = await reconcileErrors(operator);
    await moreReconciles(operator, 5);
    assert.equal(await reconcileErrors(operator), errorsBefore, 'a refusal is not an error to retry');
    assert.equal(await eventCount(ns, 'refused', 'ClampFailed'), 1);
    assert.equal((await specOf(Resources.horizontalPodAutoscalers, ns, 'floored')).maxReplicas, 50);
    // The owner lowers the floor (the target changed): the clamp is sent again and applies.
    await rest().patch(objectPath(Resources.horizontalPodAutoscalers, ns, 'floored'), { spec: { minReplicas: 2 } }, ContentType.mergePatch);
    await waitForCondition(ns, 'refused', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal((await specOf(Resources.horizontalPodAutoscalers, ns, 'floored')).maxReplicas, 10);
  });
});
