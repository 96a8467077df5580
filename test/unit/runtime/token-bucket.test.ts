import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/runtime/kube/token-bucket.ts';
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
