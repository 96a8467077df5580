import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import { RetryBudget, retryAllowed } from '../../../src/worker/retry-budget.ts';

describe('retry budget', () => {
  const table: Array<{ attempts: number; retries: number; percent: number; frozen: boolean; allowed: boolean; comment: string }> = [
    { attempts: 0, retries: 0, percent: 10, frozen: false, allowed: false, comment: 'no attempts yet: nothing to retry against' },
    { attempts: 9, retries: 0, percent: 10, frozen: false, allowed: false, comment: '1 of 9 would be 11 %' },
    { attempts: 10, retries: 0, percent: 10, frozen: false, allowed: true, comment: '1 of 10 is exactly 10 %' },
    { attempts: 20, retries: 1, percent: 10, frozen: false, allowed: true, comment: '2 of 20 is 10 %' },
    { attempts: 20, retries: 2, percent: 10, frozen: false, allowed: false, comment: '3 of 20 is 15 %' },
    { attempts: 1000, retries: 0, percent: 0, frozen: false, allowed: false, comment: 'budget 0 % allows none' },
    { attempts: 3, retries: 2, percent: 100, frozen: false, allowed: true, comment: '100 % allows one retry per attempt' },
    { attempts: 1000, retries: 0, percent: 100, frozen: true, allowed: false, comment: 'frozen allows none whatever the budget' },
  ];
  for (const row of table) {
    it(`retryAllowed: ${row.comment}`, () => {
      assert.equal(retryAllowed({ attempts: row.attempts, retries: row.retries }, row.percent, row.frozen), row.allowed);
    });
  }

  it('keeps retries within N % of attempts over the window, however many are asked for', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock, windowMs: 60_000, percent: 20, frozen: false });
    let granted = 0;
    for (let i = 0; i < 500; i++) {
      budget.recordAttempt();
      // a failing downstream: every attempt asks for two retries
      if (budget.tryRetry()) granted++;
      if (budget.tryRetry()) granted++;
      const { attempts, retries } = budget.counts();
      assert.ok(retries * 100 <= 20 * attempts, `retries ${retries} of ${attempts} attempts`);
    }
    assert.equal(granted, 100, 'exactly 20 % of 500 attempts');
  });

  it('forgets attempts and retries that left the window', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock, windowMs: 60_000, buckets: 6, percent: 10, frozen: false });
    for (let i = 0; i < 10; i++) budget.recordAttempt();
    assert.equal(budget.tryRetry(), true);
    assert.equal(budget.tryRetry(), false);
    await clock.advance(30_000);
    assert.deepEqual(budget.counts(), { attempts: 10, retries: 1 }, 'half a window later, still counted');
    await clock.advance(30_000);
    assert.deepEqual(budget.counts(), { attempts: 0, retries: 0 }, 'a full window later, gone');
    assert.equal(budget.tryRetry(), false, 'no attempts in the window: no retries either');
  });

  it('frozen stops every retry and unfreezing restores the budget', () => {
    const budget = new RetryBudget({ clock: new FakeClock(), percent: 50, frozen: true });
    for (let i = 0; i < 100; i++) budget.recordAttempt();
    assert.equal(budget.tryRetry(), false);
    assert.equal(budget.counts().retries, 0);
    budget.frozen = false;
    assert.equal(budget.tryRetry(), true);
  });

  it('throws a TypeError naming the option for a bad window', () => {
    assert.throws(() => new RetryBudget({ clock: new FakeClock(), windowMs: 0, percent: 10, frozen: false }), { name: 'TypeError', message: /`retryWindowMs`/ });
  });
});
