import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/runtime/workqueue.ts';
import { ItemExponentialFailureRateLimiter } from '../../../src/runtime/ratelimiter.ts';
import { FakeClock, flushPromises } from '../../../src/runtime/testing/fake-clock.ts';

function queue(): { q: WorkQueue; clock: FakeClock } {
  const clock = new FakeClock();
  return { q: new WorkQueue(clock, new ItemExponentialFailureRateLimiter(5, 1_000_000)), clock };
}

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const { q } = queue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(q.len(), 0);
  });

  it('never hands out a key that is being processed; a re-add comes back once after done', async () => {
    const { q } = queue();
    q.add('k');
    const key = await q.get();
    assert.equal(key, 'k');
    q.add('k');
    q.add('k');
    assert.equal(q.len(), 0, 'held back while processing');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushPromises();
    assert.equal(second, undefined, 'a second worker must not get the same key');
    q.done('k');
    await flushPromises();
    assert.equal(second, 'k');
    q.done('k');
    assert.equal(q.len(), 0, 'the two re-adds were one');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const { q } = queue();
    const next = q.get();
    q.add('x');
    assert.equal(await next, 'x');
    assert.equal(q.inFlight(), 1);
  });

  it('addAfter enqueues when the delay passes and keeps only the earliest time per key', async () => {
    const { q, clock } = queue();
    q.addAfter('k', 1000);
    q.addAfter('k', 5000);
    q.addAfter('k', 300);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(299);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 1);
    await clock.advance(10_000);
    assert.equal(q.len(), 1, 'the later requests were folded into the earlier one');
  });

  it('addAfter with a zero delay adds now', () => {
    const { q } = queue();
    q.addAfter('k', 0);
    assert.equal(q.len(), 1);
  });

  it('addRateLimited backs off per key and forget resets it', async () => {
    const { q, clock } = queue();
    assert.equal(q.addRateLimited('k'), 5);
    await clock.advance(5);
    assert.equal(await q.get(), 'k');
    q.done('k');
    assert.equal(q.addRateLimited('k'), 10);
    assert.equal(q.numRequeues('k'), 2);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
  });

  it('shutdown releases waiting workers, drops queued and delayed keys, ignores new adds', async () => {
    const { q, clock } = queue();
    const waiting = q.get();
    q.shutdown();
    assert.equal(await waiting, undefined);
    q.add('late');
    q.addAfter('later', 10);
    assert.equal(q.len(), 0);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(await q.get(), undefined);
  });

  it('shutdownWithDrain waits for keys in flight to be done', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    assert.equal(a, 'a');
    let drained = false;
    const drain = q.shutdownWithDrain().then(() => (drained = true));
    await flushPromises();
    assert.equal(drained, false);
    assert.equal(await q.get(), undefined, 'no new keys are handed out while draining');
    q.add('a');
    q.done('a');
    await drain;
    assert.equal(drained, true);
    assert.equal(q.len(), 0, 'a key re-added during the drain is not requeued');
  });

  it('shutdownWithDrain resolves at once when nothing is in flight', async () => {
    const { q } = queue();
    q.add('a');
    await q.shutdownWithDrain();
    assert.equal(q.isShuttingDown(), true);
  });
});
