import assert from 'node:assert/strict';
import { requestPriority } from '../../../src/runtime/kube/priority.ts';
import { TokenBucket, type Priority } from '../../../src/runtime/kube/token-bucket.ts';
import { FakeClock, flushPromises } from '../../../src/runtime/testing/fake-clock.ts';

/** Starts `n` takes and records the fake time at which each was let through. */
function startTakes(bucket: TokenBucket, clock: FakeClock, n: number): number[] {
  const passedAt: number[] = [];
  for (let i = 0; i < n; i++) void bucket.take().then(() => passedAt.push(clock.now()));
  return passedAt;
}

describe('TokenBucket (API client QPS limit)', () => {
  it('lets a burst through at once, then one request per 1/qps', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 20, burst: 30, clock });
    const passedAt = startTakes(bucket, clock, 34);
    await flushPromises();
    assert.equal(passedAt.length, 30, 'the burst goes out without waiting');
    await clock.advance(49);
    assert.equal(passedAt.length, 30, 'the 31st waits a whole 50 ms token');
    await clock.advance(1);
    assert.equal(passedAt.length, 31);
    await clock.advance(150);
    assert.deepEqual(passedAt.slice(30), [50, 100, 150, 200]);
  });

  it('never lets more than burst + qps × t through in any t (sustained load)', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 20, burst: 30, clock });
    const passedAt = startTakes(bucket, clock, 500);
    await clock.advance(10_000);
    assert.equal(passedAt.length, 230, '30 burst + 20/s for 10 s');
    for (let i = 0; i + 30 < passedAt.length; i++) assert.ok(passedAt[i + 30]! - passedAt[i]! >= 50, 'no 31 requests inside one token interval');
  });

  it('refills while idle, but never above burst', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 10, burst: 5, clock });
    startTakes(bucket, clock, 5);
    await flushPromises();
    assert.equal(bucket.available(), 0);
    await clock.advance(200);
    assert.equal(bucket.available(), 2);
    await clock.advance(60_000);
    assert.equal(bucket.available(), 5);
  });

  it('an aborted waiter gives its token back and rejects with the abort reason', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 1, burst: 1, clock });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    assert.equal(bucket.available(), -1);
    controller.abort(new Error('leadership lost'));
    await assert.rejects(waiting, /leadership lost/);
    assert.equal(bucket.available(), 0, 'the reservation was released');
    assert.equal(clock.pendingTimers, 0);
  });

  it('refuses a zero rate or a fractional burst', () => {
    const clock = new FakeClock(0);
    assert.throws(() => new TokenBucket({ qps: 0, burst: 10, clock }), TypeError);
    assert.throws(() => new TokenBucket({ qps: 5, burst: 1.5, clock }), TypeError);
  });
});

describe('TokenBucket priorities (protective writes first)', () => {
  /** Queues takes of the given priorities behind an empty bucket; records the order they pass. */
  function queue(bucket: TokenBucket, order: string[], takes: Array<[string, Priority]>): void {
    takes.forEach(([name, priority]) => void bucket.take(undefined, priority).then(() => void order.push(name), (err: unknown) => void order.push(`${name}: ${(err as Error).name}`)));
  }

  it('serves high before normal before low, in arrival order within a class', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 10, burst: 1, clock });
    await bucket.take();
    const order: string[] = [];
    queue(bucket, order, [['event', 'low'], ['status 1', 'normal'], ['get', 'normal'], ['hold 1', 'high'], ['status 2', 'normal'], ['hold 2', 'high']]);
    await clock.advance(100);
    assert.deepEqual(order, ['hold 1'], 'the first token after the queue formed goes to the protective write that came fourth');
    await clock.advance(500);
    assert.deepEqual(order, ['hold 1', 'hold 2', 'status 1', 'get', 'status 2', 'event']);
  });

  it('a protective write arriving behind a thousand queued requests waits one token, not a thousand', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 200, burst: 300, clock });
    const order: string[] = [];
    queue(bucket, order, Array.from({ length: 1300 }, (_, i): [string, Priority] => [`status ${i}`, 'normal']));
    await flushPromises();
    assert.equal(order.length, 300, 'the burst went out');
    const holdAt: number[] = [];
    void bucket.take(undefined, 'high').then(() => holdAt.push(clock.now()));
    await clock.advance(5);
    assert.deepEqual(holdAt, [5], 'one token interval (1/200 s)');
  });

  it('drops low-priority requests beyond maxLowWaiting instead of queueing them, and counts them', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 1, burst: 1, clock, maxLowWaiting: 2 });
    await bucket.take();
    const order: string[] = [];
    queue(bucket, order, [['e1', 'low'], ['e2', 'low'], ['e3', 'low'], ['hold', 'high']]);
    await flushPromises();
    assert.deepEqual(order, ['e3: RateLimitedError']);
    assert.equal(bucket.dropped, 1);
    assert.deepEqual(bucket.pending(), { high: 1, normal: 0, low: 2 });
    await clock.advance(3000);
    assert.deepEqual(order, ['e3: RateLimitedError', 'hold', 'e1', 'e2']);
    assert.equal(clock.pendingTimers, 0, 'no timer once nobody waits');
  });

  it('a waiter that aborts leaves its place without holding up the others', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 1, burst: 1, clock });
    await bucket.take();
    const controller = new AbortController();
    const order: string[] = [];
    const aborted = bucket.take(controller.signal, 'high');
    queue(bucket, order, [['get', 'normal']]);
    controller.abort(new Error('fence closed'));
    await assert.rejects(aborted, /fence closed/);
    await clock.advance(1000);
    assert.deepEqual(order, ['get']);
  });
});

describe('requestPriority', () => {
  const table: Array<{ method: string; path: string; expected: Priority; comment: string }> = [
    { method: 'PATCH', path: '/apis/apps/v1/namespaces/a/deployments/w', expected: 'high', comment: 'a hold on a Deployment' },
    { method: 'PATCH', path: '/apis/autoscaling/v2/namespaces/a/horizontalpodautoscalers/h', expected: 'high', comment: 'an HPA clamp' },
    { method: 'PATCH', path: '/apis/karpenter.sh/v1/nodepools/default', expected: 'high', comment: 'NodePool limits' },
    { method: 'PATCH', path: '/apis/costguard.io/v1alpha1/namespaces/a/costguards/g', expected: 'high', comment: 'a finalizer' },
    { method: 'PUT', path: '/apis/coordination.k8s.io/v1/namespaces/a/leases/l', expected: 'high', comment: 'the Lease (its own client is unlimited anyway)' },
    { method: 'PATCH', path: '/apis/costguard.io/v1alpha1/namespaces/a/costguards/g/status', expected: 'normal', comment: 'status' },
    { method: 'GET', path: '/apis/apps/v1/namespaces/a/deployments/w', expected: 'normal', comment: 'a live read' },
    { method: 'GET', path: '/apis/costguard.io/v1alpha1/costguards', expected: 'normal', comment: 'a list' },
    { method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/a/events', expected: 'low', comment: 'an event' },
    { method: 'POST', path: '/api/v1/namespaces/a/events', expected: 'low', comment: 'a core event' },
    { method: 'PATCH', path: '/api/v1/namespaces/a/configmaps/events', expected: 'high', comment: 'a ConfigMap named events is not an event' },
  ];
  for (const { method, path, expected, comment } of table) {
    it(`${comment}: ${method} ${path} → ${expected}`, () => assert.equal(requestPriority(method, path), expected));
  }
});
