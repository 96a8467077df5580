// The fault suite's containment check must catch a breach: a sample over the ceiling at any
// time, over the frozen MaxSize once the freeze reached the group, and any scale-in at all
// (the driver never scales in, so a fall in desired capacity is a write below what ran).
import assert from 'node:assert/strict';
import { containmentOf, type Sample } from '../../faults/support/containment.ts';

const sample = (at: number, desired: number, maxSize: number): Sample => ({ at, desired, maxSize });

describe('fault suite: containment of capacity samples', () => {
  const samples = [sample(0, 4, 60), sample(1, 14, 60), sample(2, 14, 14), sample(3, 14, 14)];

  it('holds when nothing exceeds the ceiling or, after it applied, the freeze, and nothing scaled in', () => {
    const c = containmentOf(samples, 60, 14, 2);
    assert.deepEqual([c.overCeiling, c.overHold, c.scaleIns], [[], [], []]);
    assert.deepEqual([c.maxDesired, c.maxAfterHold, c.samplesAfterHold], [14, 14, 2]);
  });

  it('catches capacity or MaxSize above the freeze once it applied', () => {
    const raised = [...samples, sample(4, 14, 30), sample(5, 20, 30)];
    assert.deepEqual(containmentOf(raised, 60, 14, 2).overHold, [sample(4, 14, 30), sample(5, 20, 30)]);
  });

  it('catches a freeze that lands below the running capacity: AWS takes instances back', () => {
    // Sampled at 12 while target tracking had reached 16: a MaxSize of 12 terminates 4.
    const stale = [sample(0, 4, 60), sample(1, 16, 60), sample(2, 12, 12)];
    assert.deepEqual(containmentOf(stale, 60, 12, 2).scaleIns, [[sample(1, 16, 60), sample(2, 12, 12)]]);
  });

  it('catches a sample above the ceiling at any time', () => {
    assert.deepEqual(containmentOf([sample(0, 61, 100)], 60).overCeiling, [sample(0, 61, 100)]);
  });

  it('checks no freeze before the brake engaged, but scale-ins always', () => {
    const c = containmentOf([...samples, sample(4, 10, 60)], 60);
    assert.deepEqual([c.overHold, c.samplesAfterHold, c.maxAfterHold], [[], 0, 0]);
    assert.equal(c.scaleIns.length, 1);
  });
});
