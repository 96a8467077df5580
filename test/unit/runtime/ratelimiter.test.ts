import assert from 'node:assert/strict';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from '../../../src/runtime/ratelimiter.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';

describe('rate limiters', () => {
  describe('ItemExponentialFailureRateLimiter', () => {
    it('doubles per failure from 5 ms and caps at 1000 s', () => {
      const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
      const delays = Array.from({ length: 20 }, () => rl.when('a'));
      assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
      assert.equal(delays[17], 5 * 2 ** 17); // 655.36 s, still under the cap
      assert.equal(delays[18], 1_000_000);
      assert.equal(delays[19], 1_000_000);
      assert.equal(rl.numRequeues('a'), 20);
    });

    it('keeps keys independent and forgets on success', () => {
      const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
      rl.when('a');
      rl.when('a');
      assert.equal(rl.when('b'), 5);
      rl.forget('a');
      assert.equal(rl.numRequeues('a'), 0);
      assert.equal(rl.when('a'), 5);
    });

    it('stays at the cap after very many failures instead of overflowing', () => {
      const rl = new ItemExponentialFailureRateLimiter(5, 1_000_000);
      for (let i = 0; i < 2000; i++) rl.when('a');
      assert.equal(rl.when('a'), 1_000_000);
    });

    it('rejects nonsense arguments with a TypeError', () => {
      assert.throws(() => new ItemExponentialFailureRateLimiter(0), TypeError);
      assert.throws(() => new ItemExponentialFailureRateLimiter(10, 5), TypeError);
    });
  });

  describe('BucketRateLimiter', () => {
    it('lets a burst through, then spaces reservations at 1/qps', () => {
      const clock = new FakeClock();
      const rl = new BucketRateLimiter(clock, 10, 100);
      for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
      assert.equal(Math.round(rl.when('x')), 100);
      assert.equal(Math.round(rl.when('y')), 200);
      assert.equal(Math.round(rl.when('z')), 300);
    });

    it('refills at qps while time passes, up to the burst', async () => {
      const clock = new FakeClock();
      const rl = new BucketRateLimiter(clock, 10, 100);
      for (let i = 0; i < 100; i++) rl.when('k');
      await clock.advance(1000); // 10 tokens back
      for (let i = 0; i < 10; i++) assert.equal(rl.when('k'), 0);
      assert.ok(rl.when('k') > 0);
      await clock.advance(3_600_000);
      for (let i = 0; i < 100; i++) assert.equal(rl.when('k'), 0);
      assert.ok(rl.when('k') > 0, 'the bucket never holds more than the burst');
    });
  });

  describe('default controller rate limiter', () => {
    it('is the max of per-key backoff and the overall bucket', () => {
      const clock = new FakeClock();
      const rl = defaultControllerRateLimiter(clock);
      assert.equal(rl.when('a'), 5);
      assert.equal(rl.when('a'), 10);
      // Drain the bucket with other keys: now the bucket dominates a fresh key's 5 ms.
      for (let i = 0; i < 98; i++) rl.when(`k${i}`);
      assert.equal(Math.round(rl.when('fresh')), 100);
      rl.forget('a');
      assert.equal(rl.numRequeues('a'), 0);
    });

    it('MaxOfRateLimiter records the attempt in every limiter', () => {
      const a = new ItemExponentialFailureRateLimiter(5, 1000);
      const b = new ItemExponentialFailureRateLimiter(1, 1000);
      const rl = new MaxOfRateLimiter(a, b);
      rl.when('k');
      rl.when('k');
      assert.equal(a.numRequeues('k'), 2);
      assert.equal(b.numRequeues('k'), 2);
      assert.equal(rl.when('k'), 20);
    });
  });
});
