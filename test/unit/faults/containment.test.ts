// The fault suite's containment check must catch a breach: a sample over the ceiling at any
// time, or over the brake's hold once the hold reached the group (not before: the brake
// freezes at the capacity it last sampled, and AWS takes back what was added meanwhile).
import assert from 'node:assert/strict';
import { containmentOf, type Sample } from '../../faults/support/containment.ts';

const sample = (at: number, desired: number, maxSize: number): Sample => ({ at, desired, maxSize });

describe('fault suite: containment of capacity samples', () => {
  const samples = [sample(0, 4, 60), sample(1, 14, 60), sample(2, 12, 12), sample(3, 12, 12)];

  it('holds when nothing exceeds the ceiling or, after it applied, the hold', () => {
    const c = containmentOf(samples, 60, 12, 2);
    assert.deepEqual([c.overCeiling, c.overHold], [[], []]);
    assert.deepEqual([c.maxDesired, c.maxAfterHold, c.samplesAfterHold], [14, 12, 2]);
  });

  it('catches capacity or MaxSize above the hold once it applied', () => {
    const raised = [...samples, sample(4, 12, 30), sample(5, 20, 30)];
    assert.deepEqual(containmentOf(raised, 60, 12, 2).overHold, [sample(4, 12, 30), sample(5, 20, 30)]);
  });

  it('catches a sample above the ceiling at any time', () => {
    assert.deepEqual(containmentOf([sample(0, 61, 100)], 60).overCeiling, [sample(0, 61, 100)]);
  });

  it('checks no hold before the brake engaged', () => {
    const c = containmentOf(samples, 60);
    assert.deepEqual([c.overHold, c.samplesAfterHold, c.maxAfterHold], [[], 0, 0]);
  });
});
