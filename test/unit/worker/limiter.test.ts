import assert from 'node:assert/strict';
import { BacklogFullError, ConcurrencyLimiter } from '../../../src/worker/limiter.ts';
import { deferred, settle, type Deferred } from './fixtures.ts';

/** Starts `n` jobs that each wait for the test; returns their gates and results. */
function startJobs(limiter: ConcurrencyLimiter, n: number, started: number[]): { gates: Deferred<void>[]; results: Promise<number>[] } {
  const gates = Array.from({ length: n }, () => deferred());
  const results = gates.map((gate, i) => limiter.run(async () => {
    started.push(i);
    await gate.promise;
    return i;
  }));
  return { gates, results };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most `limit` jobs at once and counts running and waiting jobs', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 2 });
    const started: number[] = [];
    const { gates, results } = startJobs(limiter, 5, started);
    await settle();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.activeCount, 2);
    assert.equal(limiter.pendingCount, 3);
    assert.equal(limiter.available, 0);
    gates[0]!.resolve();
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    for (const g of gates) g.resolve();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4]);
  });

  it('lowering the limit lets running jobs finish and starts new ones only below the new limit', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 4 });
    const started: number[] = [];
    const { gates, results } = startJobs(limiter, 7, started);
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3]);

    limiter.limit = 2;
    await settle();
    assert.equal(limiter.activeCount, 4, 'nothing in flight is aborted');
    gates[0]!.resolve();
    gates[1]!.resolve();
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3], 'still 2 running: no new job starts above the new limit');
    gates[2]!.resolve();
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'one finished with 1 running: one slot of the new limit opens');
    assert.equal(limiter.activeCount, 2);
    for (const g of gates) g.resolve();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6], 'every job completed');
  });

  it('raising the limit starts waiting jobs at once', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const started: number[] = [];
    const { gates } = startJobs(limiter, 4, started);
    await settle();
    limiter.limit = 3;
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    for (const g of gates) g.resolve();
  });

  it('rejects past the backlog with a typed error instead of queueing without bound', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 2, maxPending: 3 });
    const { gates, results } = startJobs(limiter, 5, []);
    await settle();
    const overflow = limiter.run(() => 'never');
    await assert.rejects(overflow, (err: unknown) => err instanceof BacklogFullError && err.code === 'EBACKLOGFULL' && err.maxPending === 3);
    assert.equal(limiter.pendingCount, 3, 'the rejected job was not queued');
    gates[0]!.resolve();
    await results[0];
    await settle();
    assert.equal(await Promise.race([limiter.run(() => 'queued'), Promise.resolve('accepted')]), 'accepted', 'a freed slot makes room again');
    for (const g of gates) g.resolve();
  });

  it('maxPending 0 never queues', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1, maxPending: 0 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    await assert.rejects(limiter.run(() => 1), BacklogFullError);
    gate.resolve();
    await first;
  });

  it('whenAvailable and onIdle resolve when slots free up', async () => {
    const limiter = new ConcurrencyLimiter({ limit: 1 });
    const gate = deferred();
    const job = limiter.run(() => gate.promise);
    let available = false;
    let idle = false;
    void limiter.whenAvailable().then(() => (available = true));
    void limiter.onIdle().then(() => (idle = true));
    await settle();
    assert.equal(available, false);
    gate.resolve();
    await job;
    await settle();
    assert.equal(available, true);
    assert.equal(idle, true);
  });

  it('throws a TypeError naming the option for a bad limit or backlog', () => {
    assert.throws(() => new ConcurrencyLimiter({ limit: 0 }), { name: 'TypeError', message: /`limit`/ });
    assert.throws(() => new ConcurrencyLimiter({ limit: Number.POSITIVE_INFINITY }), { name: 'TypeError', message: /`limit`/ });
    assert.throws(() => new ConcurrencyLimiter({ maxPending: -1 }), { name: 'TypeError', message: /`maxPending`/ });
    const limiter = new ConcurrencyLimiter({ limit: 3 });
    assert.throws(() => (limiter.limit = 0), { name: 'TypeError', message: /`limit`/ });
    assert.throws(() => (limiter.limit = Number.NaN), TypeError);
    assert.equal(limiter.limit, 3, 'a rejected value leaves the limit as it was');
  });
});
