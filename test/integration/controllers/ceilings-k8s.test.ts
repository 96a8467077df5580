// The ceilings controller on Kubernetes targets: Deployments, StatefulSets, HPAs, KEDA
// ScaledObjects and Karpenter NodePools (their real CRDs), in a real API server.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath, Resources, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, reconcileCounter, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';
import { createNodePool, createScaledObject } from './peer-objects.ts';

type Obj = { metadata?: { name?: string; resourceVersion?: string }; spec?: Record<string, unknown> };

const podTemplate = { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'w', image: 'busybox' }] } };

async function create(resource: ResourceType, namespace: string | undefined, body: Record<string, unknown>): Promise<void> {
  await rest().create(collectionPath(resource, namespace), body);
}

async function specOf(resource: ResourceType, namespace: string | undefined, name: string): Promise<Record<string, unknown>> {
  return (await rest().get<Obj>(objectPath(resource, namespace, name))).spec ?? {};
}

describe('ceilings: Kubernetes targets', function () {
  let ns: string;
  let operator: RunningOperator;
  const pool = (suffix: string): string => `${ns}-${suffix}`;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-k8s');
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
  });

  it('clamps Deployment replicas, HPA maxReplicas and ScaledObject maxReplicaCount', async () => {
    await create(Resources.deployments, ns, { metadata: { name: 'web' }, spec: { replicas: 45, selector: { matchLabels: { app: 'w' } }, template: podTemplate } });
    await create(Resources.horizontalPodAutoscalers, ns, {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 100 },
    });
    await createScaledObject(ns, 'consumer');
    await createGuard(ns, 'replicas', {
      mode: 'Enforce',
      onDelete: 'Restore',
      workloads: [
        { kind: 'Deployment', name: 'web', maxReplicas: 30 },
        { kind: 'HorizontalPodAutoscaler', name: 'web', maxReplicas: 30 },
        { kind: 'ScaledObject', name: 'consumer', maxReplicas: 20 },
      ],
    });
    const guard = await waitForCondition(ns, 'replicas', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal((await specOf(Resources.deployments, ns, 'web')).replicas, 30);
    assert.equal((await specOf(Resources.horizontalPodAutoscalers, ns, 'web')).maxReplicas, 30);
    assert.equal((await specOf(Resources.kedaScaledObjects, ns, 'consumer')).maxReplicaCount, 20, 'an unset maxReplicaCount (KEDA default 100) is set');
    const originals = Object.fromEntries((guard.status?.workloads ?? []).map((w) => [w.kind, w.originalMaxReplicas]));
    assert.deepEqual(originals, { Deployment: 45, HorizontalPodAutoscaler: 100, ScaledObject: 100 });
  });

  it('reverts an HPA whose maxReplicas is raised again, reacting to the watch', async () => {
    await create(Resources.horizontalPodAutoscalers, ns, {
      metadata: { name: 'api' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 1, maxReplicas: 50 },
    });
    await createGuard(ns, 'hpa', { mode: 'Enforce', workloads: [{ kind: 'HorizontalPodAutoscaler', name: 'api', maxReplicas: 10 }] });
    await eventually('hpa clamped', async () => (await specOf(Resources.horizontalPodAutoscalers, ns, 'api')).maxReplicas === 10);
    await rest().patch(objectPath(Resources.horizontalPodAutoscalers, ns, 'api'), { spec: { maxReplicas: 80 } }, 'application/merge-patch+json');
    const events = await waitForEvents(ns, 'hpa', 'DriftReverted');
    assert.match(events[0]?.note ?? '', /spec\.maxReplicas 80 → 10 \(Drift\)/);
    assert.equal((await specOf(Resources.horizontalPodAutoscalers, ns, 'api')).maxReplicas, 10);
  });

  it('clamps a NodePool limit, sets an absent one, and restores both on delete', async () => {
    await createNodePool(pool('np'), { limits: { cpu: '1000' } });
    await createGuard(ns, 'nodepool', { mode: 'Enforce', onDelete: 'Restore', nodePools: [{ name: pool('np'), limits: { cpu: '400', memory: '1600Gi' } }] });
    const guard = await waitForCondition(ns, 'nodepool', { type: 'CeilingsEnforced', status: 'True' });
    assert.deepEqual((await specOf(Resources.karpenterNodePools, undefined, pool('np'))).limits, { cpu: '400', memory: '1600Gi' });
    assert.deepEqual(guard.status?.nodePools?.[0]?.originalLimits, { cpu: '1000' });
    await rest().delete(objectPath(COSTGUARD_RESOURCE, ns, 'nodepool'));
    await eventually('guard gone', async () => getGuard(ns, 'nodepool').then(() => false, () => true));
    assert.deepEqual((await specOf(Resources.karpenterNodePools, undefined, pool('np'))).limits, { cpu: '1000' });
  });

  it('reports a missing workload and changes nothing else', async () => {
    await createGuard(ns, 'ghost', { mode: 'Enforce', workloads: [{ kind: 'StatefulSet', name: 'ghost', maxReplicas: 3 }] });
    const guard = await waitForCondition(ns, 'ghost', { type: 'Degraded', status: 'True', reason: 'TargetNotFound' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'Degraded')?.message ?? '', /StatefulSet\/ghost/);
  });

  it('does not reconcile again for its own status writes (one reconcile per change, not a loop)', async () => {
    const own = await createNamespace('ceil-quiet');
    await create(Resources.deployments, own, { metadata: { name: 'quiet' }, spec: { replicas: 9, selector: { matchLabels: { app: 'w' } }, template: podTemplate } });
    const reconciles = reconcileCounter();
    const slow = await startTestOperator(own, { resync: '1h', log: reconciles.log });
    const quiet = (): number => reconciles.count('ceilings', 'quiet');
    // A guard created after everything else, reconciled to its first status: every event that
    // came before it in the watch (our own status writes included) has been handled by then.
    let sentinels = 0;
    const handledSoFar = async (): Promise<void> => {
      const name = `sentinel-${++sentinels}`;
      await createGuard(own, name, { mode: 'DryRun', workloads: [{ kind: 'Deployment', name, maxReplicas: 1 }] });
      await eventually(`${name} reconciled`, async () => (await getGuard(own, name)).status?.observedGeneration === 1 && reconciles.count('ceilings', name) > 0);
    };
    try {
      await createGuard(own, 'quiet', { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'quiet', maxReplicas: 5 }] });
      await eventually('quiet reconciled', async () => (await getGuard(own, 'quiet')).status?.observedGeneration === 1);
      await handledSoFar();
      // create, finalizer added, our own clamp of the Deployment: a few reconciles, then none.
      const settled = quiet();
      assert.ok(settled >= 1 && settled <= 4, `${settled} reconciles for one guard`);
      await handledSoFar();
      await handledSoFar();
      assert.equal(quiet(), settled, 'status writes must not trigger reconciles');
    } finally {
      await slow.stop();
    }
  });
});
