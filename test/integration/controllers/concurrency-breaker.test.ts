// The fleet breaker view against real HTTP endpoints: Pod objects in the real API server whose
// status.podIP points at loopback addresses (127.0.0.x), each served by a prom-client registry
// exposing costguard_worker_breaker_state as the worker library does. No kubelet runs, so the
// test sets the pods' phase and IP itself.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath, Resources, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { condition, createGuard, createNamespace, eventually, getGuard, installCrds, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';

const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

/** One worker's metrics endpoint: a breaker_state gauge per named breaker. */
class FakeWorkerEndpoint {
  readonly registry = new Registry();
  readonly gauge = new Gauge({ name: 'costguard_worker_breaker_state', help: 'Breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['breaker'], registers: [this.registry] });
  private server: Server | undefined;

  constructor() {
    this.gauge.set({ breaker: 'downstream' }, 0);
    new Gauge({ name: 'costguard_worker_in_flight', help: 'Jobs in flight.', registers: [this.registry] }).set(3);
  }

  async listen(host: string, port: number): Promise<number> {
    this.server = createServer((_req, res) => {
      void this.registry.metrics().then((text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject).listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  open(state: 0 | 1 | 2): void {
    this.gauge.set({ breaker: 'downstream' }, state);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
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
  const workers = Array.from({ length: 4 }, () => new FakeWorkerEndpoint());
  let port = 0;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('breaker');
    // Every pod serves on the same port, as pods do; each has its own loopback address.
    port = await workers[0]!.listen('127.0.0.2', 0);
    for (let i = 1; i < workers.length; i++) await workers[i]!.listen(`127.0.0.${i + 2}`, port);
    await rest().create(collectionPath(Resources.deployments, ns), {
      metadata: { name: 'fleet' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'fleet' } }, template: { metadata: { labels: { app: 'fleet' } }, spec: { containers: [{ name: 'w', image: 'example.com/w:1' }] } } },
    });
    await rest().patch(objectPath(Resources.deployments, ns, 'fleet', 'status'), { status: { replicas: 4 } }, ContentType.mergePatch);
    for (let i = 0; i < workers.length; i++) await createRunningPod(ns, `fleet-${i}`, `127.0.0.${i + 2}`);
    // A running pod of another workload, reachable and open, must not be counted.
    await rest().create(collectionPath(PODS, ns), { metadata: { name: 'other', labels: { app: 'other' } }, spec: { containers: [{ name: 'w', image: 'x' }] } });
    await rest().patch(objectPath(PODS, ns, 'other', 'status'), { status: { phase: 'Running', podIP: '127.0.0.2', podIPs: [{ ip: '127.0.0.2' }] } }, ContentType.mergePatch);
    // A pending pod of the workload (no IP yet) has no breakers to count.
    await rest().create(collectionPath(PODS, ns), { metadata: { name: 'fleet-pending', labels: { app: 'fleet' } }, spec: { containers: [{ name: 'w', image: 'x' }] } });
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
    await Promise.all(workers.map((w) => w.close()));
  });

  it('is Closed while the breakers are closed, then Open at the quorum, holding scale-out, then releases', async () => {
    await createGuard(ns, 'fleet', {
      mode: 'Enforce',
      workloads: [{ kind: 'Deployment', name: 'fleet', maxReplicas: 10 }],
      concurrency: { workload: { kind: 'Deployment', name: 'fleet' }, fleetMax: 40, perReplicaMax: 8 },
      breaker: { fleetOpenPercent: 50 },
      runaway: { signals: { workers: { metricsPort: port } } },
    });
    const closed = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'False', reason: 'FleetBreakerClosed' });
    assert.deepEqual([closed.status?.breaker?.state, closed.status?.breaker?.openReplicas, closed.status?.breaker?.replicas], ['Closed', 0, 4]);
    // The ceilings controller's observation of the Deployment is what the hold is taken from.
    await waitForBreaker(ns, 'fleet', (g) => g.status?.workloads?.[0]?.replicas === 4, 'ceilings observed 4 replicas');

    workers[0]!.open(2);
    const one = await waitForBreaker(ns, 'fleet', (g) => g.status?.breaker?.openReplicas === 1, 'one open replica');
    assert.equal(one.status?.breaker?.state, 'Closed', '1 of 4 is below 50%');
    assert.deepEqual(breakerHolds(one), []);

    workers[1]!.open(2);
    const open = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True', reason: 'FleetBreakerOpen' });
    assert.deepEqual([open.status?.breaker?.state, open.status?.breaker?.openReplicas, open.status?.breaker?.replicas], ['Open', 2, 4]);
    assert.match(condition(open, 'BreakerOpen')?.message ?? '', /2 of 4 replicas of Deployment\/fleet have an open breaker/);
    assert.deepEqual(breakerHolds(open).map((h) => [h.target, h.value]), [['Deployment/fleet', 4]]);
    await waitForEvents(ns, 'fleet', 'FleetBreakerOpened');

    workers[0]!.open(0);
    workers[1]!.open(0);
    const released = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'False', reason: 'FleetBreakerClosed' });
    assert.deepEqual(breakerHolds(released), []);
    await waitForEvents(ns, 'fleet', 'FleetBreakerClosed');
  });

  it('counts an unreachable pod as unknown, reports it, and keeps the holds', async () => {
    workers[0]!.open(2);
    workers[1]!.open(2);
    await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'True', reason: 'FleetBreakerOpen' });
    // 127.0.0.9: nothing listens there, so the scrape is refused. 2 open of 5 is below 50%, but
    // with the unknown one it would reach it: the answer could go either way, so Unknown.
    await createRunningPod(ns, 'fleet-gone', '127.0.0.9');
    const unknown = await waitForCondition(ns, 'fleet', { type: 'BreakerOpen', status: 'Unknown', reason: 'ReplicasUnreachable' });
    assert.deepEqual([unknown.status?.breaker?.state, unknown.status?.breaker?.openReplicas, unknown.status?.breaker?.unknownReplicas, unknown.status?.breaker?.replicas], ['Unknown', 2, 1, 5]);
    assert.match(unknown.status?.breaker?.unreachable?.[0] ?? '', /^fleet-gone: /);
    assert.deepEqual(breakerHolds(unknown).map((h) => h.target), ['Deployment/fleet'], 'an unknown pod never releases the hold');

    // A third open replica reaches the quorum whatever the unreachable one says.
    workers[2]!.open(2);
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
