// The retry leg: each source read with a bound from its counts and the window's noise; gaps
// are not retries; sources that disagree are reported as disagreeing, not as the worst one.
import assert from 'node:assert/strict';
import { readRetries, readSource } from '../../../src/controllers/runaway/shares.ts';
import { retryShareOver, sourceShare } from '../../../src/controllers/runaway/series.ts';
import type { Sample } from '../../../src/signals/sample.ts';

const Z = 1.645;
const bound = { budget: 0.1, z: Z };
const workers = (attempts: number, retries: number, t = 30): Sample => ({ t, worker_attempts: attempts, worker_retries: retries });

describe('retry share with a count-based confidence', () => {
  const cases = [
    { name: '15 % of 20 attempts is not yet known to be over a 10 % budget', attempts: 20, retries: 3, state: 'unsure' },
    { name: '15 % of 2,000 attempts is over it', attempts: 2000, retries: 300, state: 'over' },
    { name: '5 % of 2,000 attempts is within it', attempts: 2000, retries: 100, state: 'within' },
    { name: '5 % of 20 attempts could be either', attempts: 20, retries: 1, state: 'unsure' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = readSource([workers(c.attempts, c.retries)], [], 'workers', bound)!;
      assert.equal(r.state, c.state, JSON.stringify(r));
      assert.ok(r.low <= r.share && r.share <= r.high);
    });
  }

  it('widens the bound by the noise the calm samples show', () => {
    const recent = [workers(1000, 140, 300), workers(1000, 140, 330)];
    const quiet = Array.from({ length: 8 }, (_, i) => workers(1000, 20, 30 * (i + 1)));
    const noisy = Array.from({ length: 8 }, (_, i) => workers(1000, i % 2 ? 0 : 90, 30 * (i + 1)));
    assert.equal(readSource(recent, quiet, 'workers', bound)!.state, 'over');
    assert.equal(readSource(recent, noisy, 'workers', bound)!.state, 'unsure');
  });

  it('does not read a gap in sqs_deleted as retries', () => {
    const xs: Sample[] = [];
    for (let i = 0; i < 10; i++) xs.push({ t: 30 * (i + 1), sqs_received: 1000, ...(i % 3 ? { sqs_deleted: 1000 } : {}) });
    assert.deepEqual(sourceShare(xs, 'sqs'), { wasted: 0, total: 6000, samples: 6 });
    assert.equal(retryShareOver(xs), 0);
  });

  it('has no share at all when no source observed both of its counters', () => {
    assert.equal(retryShareOver([{ t: 30, sqs_received: 100 }, { t: 60, worker_attempts: 100 }]), undefined);
    assert.equal(readRetries([{ t: 30, sqs_received: 100 }], [], 0.1, Z).state, 'unknown');
  });

  it('reports SQS over budget and workers within it as disputed, not as over', () => {
    const recent: Sample[] = [{ t: 30, sqs_received: 2000, sqs_deleted: 1000, worker_attempts: 1000, worker_retries: 0, worker_failures: 0 }];
    const r = readRetries(recent, [], 0.1, Z);
    assert.equal(r.state, 'disputed');
    assert.deepEqual(r.sources.map((s) => [s.source, s.state]), [['sqs', 'over'], ['workers', 'within']]);
  });

  it('counts worker failures as waste before their redeliveries come back', () => {
    const r = readSource([{ t: 30, worker_attempts: 1000, worker_retries: 10, worker_failures: 400 }], [], 'workers', bound)!;
    assert.equal(r.share, 0.4);
  });
});
