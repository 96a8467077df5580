// The fence is a deadline: the leader's renewals are held mid-flight (the API server stops
// answering the lease, as a stopped server would), while its reconcile keeps writing to
// Kubernetes and to AWS as fast as it can. Both peers sit behind recording proxies that stamp
// every request when it arrives, so "no write after the deadline" is read at the peer, and
// the deadline is computed from the configured renew deadline and the last renewal the API
// server answered, not from a sleep. Before the fence was a deadline, it closed only when the
// hanging renewal timed out, a retry period or more after this bound.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { testEnv } from '../../harness/env.ts';
import { autoScalingApi, type AutoScalingApi } from '../../../src/cloud/aws/autoscaling.ts';
import type { AwsClients } from '../../../src/cloud/aws/clients.ts';
import { CloudError, FENCED_CODE } from '../../../src/cloud/errors.ts';
import { FencedError } from '../../../src/runtime/fence.ts';
import { objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { Reconciler } from '../../../src/runtime/reconciler.ts';
import { clientsFor, createGroups, directClient, REGION } from '../cloud/fixtures.ts';
import { createNamespace, createWidget, eventually, installWidgetCrd, newManager, testConfig, WIDGETS } from './helpers.ts';
import { RecordingProxy, type ProxiedRequest } from './recording-proxy.ts';

const RENEW_DEADLINE_MS = 4_000;
const RETRY_PERIOD_MS = 1_500;
const TIMINGS = ['--leader-election-lease-duration=6s', `--leader-election-renew-deadline=${RENEW_DEADLINE_MS}ms`, `--leader-election-retry-period=${RETRY_PERIOD_MS}ms`];
/**
 * Loopback transit from a write's send to its arrival at the in-process proxy (event-loop lag
 * on a busy machine included). A write checked just before the deadline may arrive this much
 * after it. The fence that closed on renewal completion let writes through for at least a
 * retry period (1.5 s) past it: in one run 48 writes arrived more than 0.25 s after it, the
 * last 1.76 s after.
 */
const TRANSIT_MS = 500;

/** Writes to a Widget and to an Auto Scaling group back to back, until the fence refuses both. */
class Writer implements Reconciler {
  readonly name = 'writer';
  readonly refused = { kube: false, aws: false };
  private running = false;
  private readonly manager: Manager;
  private readonly asg: AutoScalingApi;
  private readonly group: string;

  constructor(manager: Manager, aws: AwsClients, group: string) {
    this.manager = manager;
    this.asg = autoScalingApi(aws, { region: REGION });
    this.group = group;
  }

  async reconcile(key: string): Promise<void> {
    if (this.running) return;
    this.running = true;
    const [namespace = '', name = ''] = key.split('/');
    // The reconcile's signal is left out on purpose: it aborts when leadership is lost, and
    // the point is to see every later write refused by the fence itself.
    for (let n = 0; !(this.refused.kube && this.refused.aws); n++) {
      if (!this.refused.kube) this.refused.kube = await this.kubeWrite(namespace, name, n);
      if (!this.refused.aws) this.refused.aws = await this.awsWrite(n);
    }
  }

  /** True once refused by the fence; other failures (a call aborted in flight) just retry. */
  private async kubeWrite(namespace: string, name: string, n: number): Promise<boolean> {
    return this.manager.rest.patch(objectPath(WIDGETS, namespace, name), { spec: { size: n } }, ContentType.mergePatch).then(
      () => false,
      (err: unknown) => err instanceof FencedError,
    );
  }

  private async awsWrite(n: number): Promise<boolean> {
    return this.asg.updateAutoScalingGroup({ AutoScalingGroupName: this.group, MaxSize: 5 + (n % 2) }).then(
      () => false,
      (err: unknown) => err instanceof CloudError && err.code === FENCED_CODE,
    );
  }
}

/** Admin access to the test API server, through `proxy`. */
function kubeConfigThrough(proxy: RecordingProxy): KubeConfig {
  const direct = testEnv().kubeConfig;
  const user = direct.getCurrentUser()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'proxied', server: proxy.url, caData: direct.getCurrentCluster()!.caData, skipTLSVerify: false }],
    users: [{ name: 'admin', certData: user.certData, keyData: user.keyData }],
    contexts: [{ name: 'proxied', cluster: 'proxied', user: 'admin' }],
    currentContext: 'proxied',
  });
  return kc;
}

async function apiServerProxy(): Promise<RecordingProxy> {
  const env = testEnv();
  const file = (name: string): Promise<string> => readFile(join(env.controlPlane.dir, name), 'utf8');
  const user = env.kubeConfig.getCurrentUser()!;
  const pem = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');
  return RecordingProxy.start({
    upstream: env.controlPlane.apiServerUrl,
    serve: { cert: await file('serving.crt'), key: await file('serving.key') },
    client: { ca: await file('ca.crt'), cert: pem(user.certData), key: pem(user.keyData) },
  });
}

/** The start of the last renewal the API server answered, as the proxy saw it: its GET. */
function lastAnsweredRenewal(lease: ProxiedRequest[]): ProxiedRequest {
  const put = lease.findLastIndex((r) => r.method === 'PUT' && r.status === 200);
  const get = lease.slice(0, put).findLast((r) => r.method === 'GET');
  assert.ok(get, 'the proxy saw a renewal answered before the hold');
  return get;
}

describe('runtime: the fence is a deadline (real API server, renewals held mid-flight)', function () {
  this.timeout(90_000);
  let ns: string;
  let kubeProxy: RecordingProxy;
  let awsProxy: RecordingProxy;
  const group = `fence-${randomUUID().slice(0, 6)}`;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-fence');
    kubeProxy = await apiServerProxy();
    awsProxy = await RecordingProxy.start({ upstream: testEnv().awsEndpoint });
    await createGroups(directClient(), [{ name: group, maxSize: 5 }]);
  });

  after(async () => {
    await kubeProxy.close();
    await awsProxy.close();
  });

  it('sends no Kubernetes or AWS write after the last answered renewal + renew deadline, while the renewal hangs', async () => {
    const leaseId = `fence-${randomUUID().slice(0, 6)}`;
    const leasePath = objectPath(Resources.leases, ns, leaseId);
    const config = () => testConfig(ns, ['--leader-elect=true', `--leader-election-namespace=${ns}`, `--leader-election-id=${leaseId}`, ...TIMINGS]);
    const a = newManager(config(), { identity: 'a', kubeConfig: kubeConfigThrough(kubeProxy) });
    const b = newManager(config(), { identity: 'b' });
    const aws = clientsFor(awsProxy.url, { fence: a.fence });
    const writer = new Writer(a, aws, group);
    a.addController(writer, { for: WIDGETS });
    b.addController({ name: 'idle', reconcile: () => Promise.resolve() }, { for: WIDGETS });
    await createWidget(ns, 'w', { size: 1 });
    const widgetPath = objectPath(WIDGETS, ns, 'w');
    const kubeWrites = (): ProxiedRequest[] => kubeProxy.requests.filter((r) => r.method === 'PATCH' && r.path === widgetPath);
    const awsWrites = (): ProxiedRequest[] => awsProxy.requests.filter((r) => r.action === 'UpdateAutoScalingGroup');
    try {
      await a.start();
      await eventually('a leads and writes to both peers', () => a.isLeader() && kubeWrites().length >= 5 && awsWrites().length >= 5);
      await b.start();
      // The API server stops answering the lease: the next renewal hangs mid-flight.
      kubeProxy.hold((r) => r.path === leasePath);
      await eventually('the fence refused both writers', () => writer.refused.kube && writer.refused.aws, 20_000);
      assert.equal(await a.done, 'leadership-lost');

      const lease = kubeProxy.requests.filter((r) => r.path === leasePath);
      const bound = lastAnsweredRenewal(lease).at + RENEW_DEADLINE_MS;
      const deadline = a.fence.deadline;
      assert.ok(deadline <= bound, `the operator's deadline ${deadline} is the configured renew deadline after the last renewal the API server answered (${bound})`);
      assert.ok(lease.some((r) => r.held && r.at < deadline), 'a renewal was hanging at the API server when the deadline came');
      assert.ok((a.fence.closedAt ?? Infinity) < bound + TRANSIT_MS, 'the fence closed at the deadline, not when the renewal gave up');

      const writes = [...kubeWrites(), ...awsWrites()];
      const late = writes.filter((w) => w.at > bound + TRANSIT_MS).map((w) => `${w.method} ${w.action ?? w.path} ${w.at - bound} ms after`);
      assert.deepEqual(late, [], 'no write reached a peer after the deadline');
      const lastWrite = Math.max(...writes.map((w) => w.at));
      assert.ok(lastWrite > deadline - RETRY_PERIOD_MS, 'the writers kept writing up to the deadline (the check above is not vacuous)');
      await eventually('b leads', () => b.isLeader(), 20_000);
    } finally {
      await a.stop();
      await b.stop();
      aws.shutdown();
    }
  });
});
