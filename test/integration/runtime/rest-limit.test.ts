// The client-side QPS limit on the real REST client: requests past the burst wait for a token
// (time moves only when the test says so), and a write that was queued when leadership was
// lost is refused instead of sent.
import assert from 'node:assert/strict';
import { testEnv } from '../../harness/env.ts';
import { FencedError, WriteFence } from '../../../src/runtime/fence.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType, RestClient } from '../../../src/runtime/kube/rest.ts';
import { TokenBucket } from '../../../src/runtime/kube/token-bucket.ts';
import { FakeClock, flushPromises } from '../../../src/runtime/testing/fake-clock.ts';
import { createNamespace, eventually, rest } from './helpers.ts';

describe('runtime: REST client QPS limit (real API server)', function () {
  this.timeout(30_000);
  let ns: string;

  before(async () => {
    ns = await createNamespace('rt-qps');
  });

  it('sends the burst at once and the next request only when a token is due', async () => {
    const clock = new FakeClock(0);
    const limiter = new TokenBucket({ qps: 1, burst: 2, clock });
    const client = new RestClient(testEnv().kubeConfig, { limiter });
    const done: number[] = [];
    const get = (i: number): Promise<void> => client.get(objectPath({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false }, undefined, ns)).then(() => void done.push(i));
    const calls = [get(1), get(2), get(3)];
    await eventually('the burst answered', () => done.length === 2);
    assert.equal(limiter.available(), -1, 'the third request holds a reservation and waits');
    assert.deepEqual(done.sort(), [1, 2]);
    await clock.advance(1000);
    await Promise.all(calls);
    assert.deepEqual(done.sort(), [1, 2, 3]);
    await client.close();
  });

  it('sends a protective write queued behind reads and status writes first, and drops an event rather than queue it', async () => {
    const clock = new FakeClock(0);
    const limiter = new TokenBucket({ qps: 1, burst: 1, clock, maxLowWaiting: 0 });
    const client = new RestClient(testEnv().kubeConfig, { limiter });
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v: '0' } });
    await client.create(collectionPath(Resources.configMaps, ns), cm('held'));
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>): Promise<void> => p.then(() => void order.push(name), (err: unknown) => void order.push(`${name}: ${(err as Error).name}`));
    const calls = [
      track('get 1', client.get(objectPath(Resources.configMaps, ns, 'held'))),
      track('get 2', client.get(objectPath(Resources.configMaps, ns, 'held'))),
      track('event', client.create(`/apis/events.k8s.io/v1/namespaces/${ns}/events`, {})),
      track('hold', client.patch(objectPath(Resources.configMaps, ns, 'held'), { data: { v: '1' } }, ContentType.mergePatch)),
    ];
    await eventually('the event dropped at once', () => order.includes('event: RateLimitedError'));
    assert.deepEqual(limiter.pending(), { high: 1, normal: 2, low: 0 });
    await clock.advance(1000);
    await eventually('the next token went to the write', () => order.length === 2);
    assert.deepEqual(order, ['event: RateLimitedError', 'hold'], 'the protective write came last and went first');
    await clock.advance(2000);
    await Promise.all(calls);
    assert.deepEqual(order.slice(2).sort(), ['get 1', 'get 2']);
    await client.close();
  });

  it('refuses a write that was waiting for a token when the fence closed, and sends nothing', async () => {
    const clock = new FakeClock(0);
    const fence = new WriteFence();
    const limiter = new TokenBucket({ qps: 1, burst: 1, clock });
    const client = new RestClient(testEnv().kubeConfig, { limiter, fence });
    await client.get(collectionPath(Resources.configMaps, ns));
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: ns } };
    const write = client.create(collectionPath(Resources.configMaps, ns), body);
    await flushPromises();
    assert.equal(limiter.available(), -1, 'the write is queued');
    fence.close('leadership lost');
    await assert.rejects(write, FencedError);
    await assert.rejects(rest().get(objectPath(Resources.configMaps, ns, 'late')), /404/);
    await client.close();
  });
});
