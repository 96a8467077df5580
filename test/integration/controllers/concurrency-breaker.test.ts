// The fleet breaker view against real workers: each pod is a separate process running the
// costguard/worker library (test/support/breaker-worker.ts) with its /metrics server bound to
// its own loopback address (127.0.0.x), all on the same port as pods are, and Pod objects in
// the real API server whose status.podIP points there. A worker's breaker opens because calls
// through it fail, and closes when its half-open trial call succeeds. No kubelet runs, so the
// test sets the pods' phase and IP itself, and copies the worker.json the operator publishes
// into the file the workers read.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath, Resources, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { BreakerWorkerProcess } from '../../support/breaker-worker-process.ts';
import { condition, createGuard, createNamespace, eventually, getGuard, installCrds, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';
import { createKedaHpa, createScaledObject } from './peer-objects.ts';

const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
const WORKERS = 4;

/**
 * Does what the kubelet does for a ConfigMap volume: copies the worker.json the operator
 * published for the guard into the file the workers read (write, then rename, so a reader
 * never sees half a file). Returns the published document.
 */
async function deliverPublishedSettings(namespace: string, guard: string, file: string): Promise<{ perReplicaLimit: number; breaker: Record<string, number> }> {
  const text = await eventually('the worker ConfigMap', async () => {
    const cm = await rest().get<{ data?: Record<string, string> }>(objectPath(Resources.configMaps, namespace, `costguard-${guard}`)).catch(() => undefined);
    return cm?.data?.['worker.json'];
  });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  return JSON.parse(text) as { perReplicaLimit: number; breaker: Record<string, number> };
}

/** Waits until a worker's /metrics shows it loaded a settings file with this limit. */
function waitForSettingsLoaded(host: string, port: number, limit: number): Promise<true> {
  return eventually(`${host} loaded the published settings`, async () => {
    const text = await fetch(`http://${host}:${port}/metrics`).then((r) => r.text());
    const loaded = /^costguard_worker_config_last_success_timestamp_seconds [1-9]/m.test(text);
    return loaded && new RegExp(`^costguard_worker_limit ${limit}$`, 'm').test(text) ? true : undefined;
  });
}

async function createRunningPod(namespace: string, name: string, ip: string): Promise<void> {
  await rest().create(collectionPath(PODS, namespace), { metadata: { name, labels: { app: 'fleet' } }, spec: { containers: [{ name: 'w', image: 'example.com/w:1' }] } });
  await rest().patch(objectPath(PODS, namespace, name, 'status'), { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } }, ContentType.mergePatch);
}

function waitForBreaker(namespace: string, name: string, want: (g: CostGuard) => boolean, what: string): Promise<CostGuard> {
  return eventually(`${name}: ${what}`, async () => {
    const g = await getGuard(namespace, name);
    return want(g) ? g : undefined;
  });
}

const breakerHolds = (g: CostGuard) => (g.status?.holds ?? []).filter((h) => h.owner === 'breaker');

describe('concurrency: the fleet breaker view', function () {
  let ns: string;
  let operator: RunningOperator;
  const workers: BreakerWorkerProcess[] = [];
  const settingsDir = mkdtempSync(join(tmpdir(), 'costguard-fleet-'));
  const settingsFile = join(settingsDir, 'worker.json');
  let port = 0;

  async function startWorker(i: number): Promise<BreakerWorkerProcess> {
    const worker = await BreakerWorkerProcess.start({ host: `127.0.0.${i + 2}`, port, configFile: settingsFile, breaker: 'downstream' });
    workers.push(worker);
    return worker;
  }

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('breaker');
    // Every pod serves on the same port, as pods do; each has its own loopback address.
    // Like pods whose optional ConfigMap volume is still empty: the workers start on the
    // library's defaults and pick up the operator's settings once they are delivered.
    port = (await startWorker(0)).port;
    for (let i = 1; i < WORKERS; i++) await startWorker(i);
    await rest().create(collectionPath(Resources.deployments, ns), {
      metadata: { name: 'fleet' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'fleet' } }, template: { metadata: { labels: { app: 'fleet' } }, spec: { containers: [{ name: 'w', image: 'example.com/w:1' }] } } },
    });
    await rest().patch(objectPath(Resources.deployments, ns, 'fleet', 'status'), { status: { replicas: 4 } }, ContentType.mergePatch);
    // KEDA scales the same fleet: its ScaledObject reports no replicas itself, its HPA does.
    await createScaledObject(ns, 'fleet', { maxReplicaCount: 10 });
    await createKedaHpa(ns, 'fleet', { maxReplicas: 10, currentReplicas: 4 });
    for (let i = 0; i < WORKERS; i++) await createRunningPod(ns, `fleet-${i}`, `127.0.0.${i + 2}`);
    // A running pod of another workload, reachable and open, must not be counted.
    await rest().create(collectionPath(PODS, ns), { metadata: { name: 'other', labels: { app: 'other' } }, spec: { containers: [{ name: 'w', image: 'x' }] } });
    await rest().patch(objectPath(PODS, ns, 'other', 'status'), { status: { phase: 'Running', podIP: '127.0.0.2', podIPs: [{ ip: '127.0.0.2' }] } }, ContentType.mergePatch);
    // A pending pod of the workload (no IP yet) has no breakers to count.
    await rest().create(collectionPath(PODS, ns), { metadata: { name: 'fleet-pending', labels: { app: 'fleet' } }, spec: { containers: [{ name: 'w', image: 'x' }] } });
    operator = await startTestOperator(ns);
  });

  after(async () => {
    try {
      await operator?.stop();
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      rmSync(settingsDir, { recursive: true, force: true });
    }
  });

  it('is Closed while the breakers are closed, then Open at the quorum, holding scale-out, then releases', async () => {
    await createGuard(ns, 'fleet', {
      mode: 'Enforce',
      workloads: [
        { kind: 'Deployment', name: 'fleet', maxReplicas: 10 },
        { kind: 'ScaledObject', name: 'fleet', maxReplicas: 10 },
      ],
      concurrency: { workload: { kind: 'Deployment', name: 'fleet' }, fleetMax: 40, perReplicaMax: 8 },
      // Four failed calls of four open a worker's breaker; a short reset timeout lets a
      // recovered downstream close it quickly (while the downstream still fails, the worker's
      // trial call at half-open fails at once and the breaker reopens).
      breaker: { fleetOpenPercent: 50, volumeThreshold: 4, resetTimeout: '500ms' },
      runaway: { signals: { workers: { metricsPort: port } } },
    });
    const closed = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'False', reason: 'FleetBreakerClosed' });
    assert.deepEqual([closed.status?.breaker?.state, closed.status?.breaker?.openReplicas, closed.status?.breaker?.replicas], ['Closed', 0, 4]);
    // The ceilings controller's observation of the Deployment is what the hold is taken from.
    await waitForBreaker(ns, 'fleet', (g) => g.status?.workloads?.every((w) => w.replicas === 4) === true, 'ceilings observed 4 replicas of each');
    // The workers' breakers follow the settings the operator published for the guard.
    const published = await deliverPublishedSettings(ns, 'fleet', settingsFile);
    assert.deepEqual([published.breaker.volumeThreshold, published.breaker.resetTimeoutMs], [4, 500]);
    await Promise.all(workers.map((_, i) => waitForSettingsLoaded(`127.0.0.${i + 2}`, port, published.perReplicaLimit)));

    await workers[0]!.fail();
    const one = await waitForBreaker(ns, 'fleet', (g) => g.status?.breaker?.openReplicas === 1, 'one open replica');
    assert.equal(one.status?.breaker?.state, 'Closed', '1 of 4 is below 50%');
    assert.deepEqual(breakerHolds(one), []);

    await workers[1]!.fail();
    const open = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True', reason: 'FleetBreakerOpen' });
    assert.deepEqual([open.status?.breaker?.state, open.status?.breaker?.openReplicas, open.status?.breaker?.replicas], ['Open', 2, 4]);
    assert.match(condition(open, 'BreakerOpen')?.message ?? '', /2 of 4 replicas of Deployment\/fleet have an open breaker/);
    assert.deepEqual(breakerHolds(open).map((h) => [h.target, h.value]), [['Deployment/fleet', 4], ['ScaledObject/fleet', 4]]);
    // The hold reaches the ScaledObject: its maxReplicaCount is held at the 4 its HPA runs.
    await eventually('ScaledObject held at 4', async () => (await rest().get<{ spec?: { maxReplicaCount?: number } }>(objectPath(Resources.kedaScaledObjects, ns, 'fleet'))).spec?.maxReplicaCount === 4);
    await waitForEvents(ns, 'fleet', 'FleetBreakerOpened');

    await Promise.all([workers[0]!.recover(), workers[1]!.recover()]);
    const released = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'False', reason: 'FleetBreakerClosed' });
    assert.deepEqual(breakerHolds(released), []);
    await waitForEvents(ns, 'fleet', 'FleetBreakerClosed');
    await eventually('ScaledObject released to 10', async () => (await rest().get<{ spec?: { maxReplicaCount?: number } }>(objectPath(Resources.kedaScaledObjects, ns, 'fleet'))).spec?.maxReplicaCount === 10);
  });

  it('counts an unreachable pod as unknown, reports it, and keeps the holds', async () => {
    await workers[0]!.fail();
    await workers[1]!.fail();
    await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True', reason: 'FleetBreakerOpen' });
    // 127.0.0.9: nothing listens there, so the scrape is refused. 2 open of 5 is below 50%, but
    // with the unknown one it would reach it: the answer could go either way, so Unknown.
    await createRunningPod(ns, 'fleet-gone', '127.0.0.9');
    const unknown = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'Unknown', reason: 'ReplicasUnreachable' });
    assert.deepEqual([unknown.status?.breaker?.state, unknown.status?.breaker?.openReplicas, unknown.status?.breaker?.unknownReplicas, unknown.status?.breaker?.replicas], ['Unknown', 2, 1, 5]);
    assert.match(unknown.status?.breaker?.unreachable?.[0] ?? '', /^fleet-gone: /);
    assert.deepEqual(breakerHolds(unknown).map((h) => h.target), ['Deployment/fleet', 'ScaledObject/fleet'], 'an unknown pod never releases the hold');

    // A third open replica reaches the quorum whatever the unreachable one says.
    await workers[2]!.fail();
    const open = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True', reason: 'FleetBreakerOpen' });
    assert.equal(open.status?.breaker?.unknownReplicas, 1);
    // Metrics are set just after the status write: wait for them rather than race it.
    const series = (metric: string, value: number) => new RegExp(`^${metric}\\{namespace="${ns}",name="fleet"\\} ${value}$`, 'm');
    await eventually('breaker metrics', async () => {
      const text = await operator.manager.metrics.registry.metrics();
      return series('costguard_breaker_open', 1).test(text) && series('costguard_breaker_unknown_replicas', 1).test(text) ? true : undefined;
    });
  });

  it('drops its status, condition and holds when spec.breaker is removed', async () => {
    await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True' });
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'fleet'), { spec: { breaker: null } }, ContentType.mergePatch);
    const gone = await waitForBreaker(ns, 'fleet', (g) => g.status?.breaker === undefined && !condition(g, 'BreakerOpen'), 'breaker status gone');
    assert.deepEqual(breakerHolds(gone), []);
  });
});
