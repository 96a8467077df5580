// The concurrency controller against a real API server: it publishes the worker ConfigMap,
// follows the Deployment's replicas (spec and /status, set by the test: there is no
// controller-manager), publishes `frozen` with the brake, and writes nothing in DryRun.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import type { ConfigMap, WorkerConfig } from '../../../src/controllers/concurrency/config.ts';
import { isNotFound } from '../../../src/runtime/errors.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { condition, createGuard, createNamespace, eventually, getGuard, installCrds, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';

const template = { metadata: { labels: { app: 'worker' } }, spec: { containers: [{ name: 'w', image: 'example.com/w:1' }] } };

async function createDeployment(namespace: string, name: string, replicas: number): Promise<void> {
  await rest().create(collectionPath(Resources.deployments, namespace), {
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: 'worker' } }, template },
  });
  await setRunning(namespace, name, replicas);
}

/** What the controller-manager would do: report the pods as running. */
async function setRunning(namespace: string, name: string, replicas: number): Promise<void> {
  await rest().patch(objectPath(Resources.deployments, namespace, name, 'status'), { status: { replicas } }, ContentType.mergePatch);
}

async function scale(namespace: string, name: string, replicas: number): Promise<void> {
  await rest().patch(objectPath(Resources.deployments, namespace, name), { spec: { replicas } }, ContentType.mergePatch);
  await setRunning(namespace, name, replicas);
}

async function configMap(namespace: string, guard: string): Promise<ConfigMap | undefined> {
  try {
    return await rest().get<ConfigMap>(objectPath(Resources.configMaps, namespace, `costguard-${guard}`));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const workerJson = (cm: ConfigMap | undefined): WorkerConfig | undefined => (cm?.data?.['worker.json'] ? (JSON.parse(cm.data['worker.json']) as WorkerConfig) : undefined);

function waitForWorkerConfig(namespace: string, guard: string, want: (c: WorkerConfig) => boolean, what: string): Promise<WorkerConfig> {
  return eventually(`${guard}: ${what}`, async () => {
    const c = workerJson(await configMap(namespace, guard));
    return c && want(c) ? c : undefined;
  });
}

const concurrency = (fleetMax: number, perReplicaMax: number) => ({ workload: { kind: 'Deployment', name: 'orders' }, fleetMax, perReplicaMax });

describe('concurrency: the worker ConfigMap', function () {
  let ns: string;
  let operator: RunningOperator;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('conc');
    await createDeployment(ns, 'orders', 10);
    operator = await startTestOperator(ns, { resync: '1h' });
  });

  after(async () => {
    await operator?.stop();
  });

  it('publishes the limit, owned by the guard, and follows the replicas as they change', async () => {
    const guard = await createGuard(ns, 'orders', { mode: 'Enforce', concurrency: concurrency(100, 16), breaker: { volumeThreshold: 20 } });
    const first = await waitForWorkerConfig(ns, 'orders', (c) => c.perReplicaLimit === 10, 'limit 10 for 10 replicas');
    assert.deepEqual({ ...first, publishedAt: 'x' }, {
      version: 1,
      guard: `${ns}/orders`,
      perReplicaLimit: 10,
      frozen: false,
      retryBudgetPercent: 10,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 20, resetTimeoutMs: 30_000, fleetOpenPercent: 50 },
      publishedAt: 'x',
    });
    const cm = await configMap(ns, 'orders');
    assert.deepEqual(cm?.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['CostGuard', 'orders', guard.metadata.uid, true]]);
    assert.equal(cm?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'costguard');
    const published = await waitForCondition(ns, 'orders', { type: 'ConcurrencyPublished', status: 'True', reason: 'Published' });
    assert.equal(published.status?.concurrency?.perReplicaLimit, 10);
    assert.equal(published.status?.concurrency?.fleetInFlightCap, 100);

    // Scale out: spec first (the new pods count before they run), then status.
    await rest().patch(objectPath(Resources.deployments, ns, 'orders'), { spec: { replicas: 25 } }, ContentType.mergePatch);
    const scaled = await waitForWorkerConfig(ns, 'orders', (c) => c.perReplicaLimit === 4, 'limit 4 for 25 replicas');
    assert.ok(scaled.publishedAt >= first.publishedAt);
    await setRunning(ns, 'orders', 25);
    const guardNow = await eventually('status.concurrency follows', async () => {
      const g = await getGuard(ns, 'orders');
      return g.status?.concurrency?.replicas === 25 ? g : undefined;
    });
    assert.equal(guardNow.status?.concurrency?.perReplicaLimit, 4);
    assert.equal(guardNow.status?.concurrency?.fleetInFlightCap, 100);
    assert.equal(guardNow.status?.concurrency?.publishedAt, scaled.publishedAt);
    await waitForEvents(ns, 'orders', 'ConcurrencyPublished', 2);
    assert.equal(condition(guardNow, 'Ready')?.status, 'True', JSON.stringify(guardNow.status?.conditions));
    const series = (metric: string, value: number) => new RegExp(`^${metric}\\{namespace="${ns}",name="orders"\\} ${value}$`, 'm');
    await eventually('concurrency metrics', async () => {
      const text = await operator.manager.metrics.registry.metrics();
      return series('costguard_concurrency_per_replica_limit', 4).test(text) && series('costguard_concurrency_replicas', 25).test(text) ? true : undefined;
    });

    // Scale in below the original.
    await scale(ns, 'orders', 5);
    await waitForWorkerConfig(ns, 'orders', (c) => c.perReplicaLimit === 16, 'limit back to perReplicaMax for 5 replicas');
  });

  it('reverts a hand edit of the ConfigMap at the next reconcile', async () => {
    await waitForWorkerConfig(ns, 'orders', (c) => c.perReplicaLimit === 16, 'published');
    const cm = await configMap(ns, 'orders');
    const edited = { ...workerJson(cm), perReplicaLimit: 500 };
    await rest().patch(objectPath(Resources.configMaps, ns, 'costguard-orders'), { data: { 'worker.json': JSON.stringify(edited) } }, ContentType.mergePatch);
    // A spec change of the guard is one way to trigger a reconcile (the resync is the other).
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'orders'), { metadata: { annotations: { poke: '1' } } }, ContentType.mergePatch);
    await waitForWorkerConfig(ns, 'orders', (c) => c.perReplicaLimit === 16, 'the edit reverted');
  });

  it('publishes frozen while the brake is engaged, and clears it on release', async () => {
    const brake = { action: 'Freeze', engagedAt: '2026-01-01T00:00:00Z', reason: 'test brake' };
    const guardPath = objectPath(COSTGUARD_RESOURCE, ns, 'orders', 'status');
    await rest().patch(guardPath, { status: { brake } }, ContentType.mergePatch);
    await waitForWorkerConfig(ns, 'orders', (c) => c.frozen, 'frozen');
    const frozen = await eventually('status frozen', async () => ((await getGuard(ns, 'orders')).status?.concurrency?.frozen ? true : undefined));
    assert.equal(frozen, true);
    await rest().patch(guardPath, { status: { brake: null } }, ContentType.mergePatch);
    await waitForWorkerConfig(ns, 'orders', (c) => !c.frozen, 'thawed');
  });

  it('says when replicas exceed fleetMax, and still publishes 1 per replica', async () => {
    await createDeployment(ns, 'crowd', 12);
    await createGuard(ns, 'crowd', { mode: 'Enforce', concurrency: { workload: { kind: 'Deployment', name: 'crowd' }, fleetMax: 8, perReplicaMax: 4 } });
    const guard = await waitForCondition(ns, 'crowd', { type: 'ConcurrencyPublished', status: 'True', reason: 'FleetCapUnreachable' });
    assert.match(condition(guard, 'ConcurrencyPublished')?.message ?? '', /12 replicas exceed fleetMax 8/);
    assert.equal(guard.status?.concurrency?.fleetMaxReachable, false);
    assert.equal(workerJson(await configMap(ns, 'crowd'))?.perReplicaLimit, 1);
    await waitForEvents(ns, 'crowd', 'FleetCapUnreachable');
  });

  it('computes and reports in DryRun without writing a ConfigMap', async () => {
    await createDeployment(ns, 'dry', 4);
    await createGuard(ns, 'dry', { mode: 'DryRun', concurrency: { workload: { kind: 'Deployment', name: 'dry' }, fleetMax: 20, perReplicaMax: 8 } });
    const guard = await waitForCondition(ns, 'dry', { type: 'ConcurrencyPublished', status: 'False', reason: 'DryRun' });
    assert.equal(guard.status?.concurrency?.perReplicaLimit, 5);
    assert.match(condition(guard, 'ConcurrencyPublished')?.message ?? '', /would publish per-replica limit 5 for 4 replicas/);
    await waitForEvents(ns, 'dry', 'WouldPublish');
    assert.equal(await configMap(ns, 'dry'), undefined);
  });

  it('reports a missing workload, then publishes once it appears', async () => {
    await createGuard(ns, 'late', { mode: 'Enforce', concurrency: { workload: { kind: 'Deployment', name: 'late' }, fleetMax: 20, perReplicaMax: 8 } });
    const guard = await waitForCondition(ns, 'late', { type: 'ConcurrencyPublished', status: 'False', reason: 'WorkloadNotFound' });
    assert.match(condition(guard, 'ConcurrencyPublished')?.message ?? '', /Deployment\/late does not exist/);
    await createDeployment(ns, 'late', 2);
    await waitForCondition(ns, 'late', { type: 'ConcurrencyPublished', status: 'True', reason: 'Published' });
    assert.equal(workerJson(await configMap(ns, 'late'))?.perReplicaLimit, 8);
  });

  it('never takes over a ConfigMap of the same name that is not CostGuard\'s', async () => {
    await createDeployment(ns, 'taken', 2);
    await rest().create(collectionPath(Resources.configMaps, ns), { metadata: { name: 'costguard-taken' }, data: { mine: 'yes' } });
    await createGuard(ns, 'taken', { mode: 'Enforce', concurrency: { workload: { kind: 'Deployment', name: 'taken' }, fleetMax: 20, perReplicaMax: 8 } });
    await waitForCondition(ns, 'taken', { type: 'ConcurrencyPublished', status: 'False', reason: 'ConfigMapConflict' });
    assert.deepEqual((await configMap(ns, 'taken'))?.data, { mine: 'yes' });
  });
});
