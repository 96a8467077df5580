// The noise the trouble test allows for comes from the calm before any trouble began. A loop's
// trouble starts a few samples before capacity grows (target tracking answers it); counted as
// calm noise, those samples would hide themselves, and with the few attempts a capped fleet
// makes per sample no later sample would ever look like trouble again.
import assert from 'node:assert/strict';
import { assess } from '../../../src/controllers/runaway/detect.ts';
import { quietPart } from '../../../src/controllers/runaway/window.ts';
import type { Sample } from '../../../src/signals/sample.ts';

/** [t, desired, attempts, retries, successes] */
const s = ([t, desired, attempts, retries, successes]: [number, number, number, number, number]): Sample => ({ t, desired, in_service: desired, worker_attempts: attempts, worker_retries: retries, worker_successes: successes });

describe('detector: the calm noise excludes the onset', () => {
  it('quietPart drops the run of over-budget samples at the end of the calm part, and only that', () => {
    const calm = [s([0, 4, 3, 0, 3]), s([1, 4, 3, 1, 2]), s([2, 4, 3, 0, 3]), s([3, 4, 3, 0, 3]), s([4, 4, 3, 1, 0]), s([5, 4, 2, 1, 0])];
    assert.deepEqual(quietPart(calm, 0.1, 3).map((x) => x.t), [0, 1, 2, 3]);
    assert.deepEqual(quietPart(calm.slice(3), 0.1, 3).map((x) => x.t), [3, 4, 5], 'too little left: the whole calm part');
  });

  it('a capped fleet (3 attempts a sample) whose retries began before it grew answered trouble: the onset is not noise', () => {
    // Calm, then the downstream slows (retries 1 of 2-3), then target tracking adds capacity.
    const samples = [
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((t) => s([t, 4, 3, 0, 3])),
      s([8, 4, 3, 1, 0]), s([9, 4, 2, 1, 0]), s([10, 4, 3, 1, 0]), s([11, 4, 3, 1, 0]),
      s([12, 6, 3, 1, 0]), s([13, 6, 2, 1, 0]), s([14, 8, 3, 1, 0]), s([15, 8, 3, 1, 0]),
    ];
    const a = assess(samples, 15, { windowSeconds: 40, retryBudgetPercent: 10, intervalSeconds: 1 });
    assert.equal(a.legs?.answeredTrouble, true, 'capacity was added while the fleet was in trouble');
  });
});
