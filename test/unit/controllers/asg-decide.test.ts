import assert from 'node:assert/strict';
import { decideGroup, type GroupCeiling, type GroupInput, type GroupMemory, type ObservedGroup } from '../../../src/controllers/ceilings/asg-decide.ts';
import type { Cap } from '../../../src/controllers/ceilings/caps.ts';
import type { FieldRecord } from '../../../src/controllers/ceilings/field-decide.ts';

const MIN = 60_000;

function group(overrides: Partial<ObservedGroup> = {}): ObservedGroup {
  return { name: 'orders-asg', minSize: 1, maxSize: 10, desiredCapacity: 4, inService: 4, ...overrides };
}

const enforce = (nowMs = 0) => ({ nowMs, act: true });
const dryRun = (nowMs = 0) => ({ nowMs, act: false });
const spec = (value: number): Cap => ({ value, by: 'spec' });

/** decideGroup with the spec ceiling as the cap unless one is given. */
function decide(ceiling: GroupCeiling, observed: ObservedGroup, more: { memory?: GroupMemory; record?: FieldRecord; cap?: Cap } = {}, ctx = enforce()) {
  const input: GroupInput = { ceiling, cap: more.cap ?? spec(ceiling.maxSize), observed, record: more.record, memory: more.memory ?? {} };
  return decideGroup(input, ctx);
}

describe('decideGroup', () => {
  const cases: { name: string; ceiling: GroupCeiling; observed: ObservedGroup; record?: FieldRecord; cap?: Cap; expect: string[]; binding: boolean }[] = [
    { name: 'leaves a compliant group alone', ceiling: { maxSize: 20 }, observed: group(), expect: [], binding: false },
    { name: 'leaves a group exactly at its ceiling alone', ceiling: { maxSize: 10 }, observed: group(), expect: [], binding: false },
    { name: 'clamps MaxSize above the ceiling', ceiling: { maxSize: 8 }, observed: group(), expect: ['MaxSize 10→8 AboveCeiling'], binding: false },
    {
      name: 'sends MaxSize alone when desired is above it too (AWS lowers desired itself; no stale desired is written)',
      ceiling: { maxSize: 8 },
      observed: group({ desiredCapacity: 10 }),
      expect: ['MaxSize 10→8 AboveCeiling'],
      binding: true,
    },
    {
      name: 'lowers MinSize when it is above the ceiling (AWS rejects Max < Min)',
      ceiling: { maxSize: 3 },
      observed: group({ minSize: 5, desiredCapacity: 5 }),
      expect: ['MaxSize 10→3 AboveCeiling', 'MinSize 5→3 MinAboveCeiling'],
      binding: true,
    },
    { name: 'calls a raise over CostGuard\'s own value drift', ceiling: { maxSize: 8 }, observed: group({ maxSize: 40 }), record: { original: 10, clamped: 8 }, expect: ['MaxSize 40→8 Drift'], binding: false },
    { name: 'a lowered ceiling under CostGuard\'s own value is CeilingLowered, not drift', ceiling: { maxSize: 5 }, observed: group({ maxSize: 8 }), record: { original: 10, clamped: 8 }, expect: ['MaxSize 8→5 CeilingLowered'], binding: false },
    { name: 'a hold below the spec ceiling binds', ceiling: { maxSize: 8 }, cap: { value: 4, by: 'runaway', why: 'brake' }, observed: group(), expect: ['MaxSize 10→4 AboveCeiling'], binding: true },
    { name: 'a lifted hold goes back up to the spec ceiling (Released), not drift', ceiling: { maxSize: 8 }, observed: group({ maxSize: 4 }), record: { original: 10, clamped: 4 }, expect: ['MaxSize 4→8 Released'], binding: false },
    { name: 'reports binding when desired sits at the ceiling', ceiling: { maxSize: 4 }, observed: group({ maxSize: 4 }), expect: [], binding: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(c.ceiling, c.observed, { record: c.record, cap: c.cap });
      assert.deepEqual(d.changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`), c.expect);
      assert.equal(d.binding, c.binding);
    });
  }

  it('never raises a value without a record, and never above the recorded original', () => {
    for (let max = 0; max <= 12; max++) {
      for (let desired = 0; desired <= max; desired++) {
        for (const record of [undefined, { original: 9, clamped: max }, { original: 3, clamped: max }]) {
          const d = decide({ maxSize: 6, maxScaleOut: { instances: 2, perMs: 10 * MIN } }, group({ minSize: 0, maxSize: max, desiredCapacity: desired }), { memory: { lastDesired: 1 }, record });
          const raised = d.changes.filter((c) => c.to >= c.from);
          assert.ok(raised.every((c) => record && c.field === 'MaxSize' && c.to <= record.original), JSON.stringify({ raised, record }));
        }
      }
    }
  });

  it('records the pre-clamp MaxSize once, and keeps it across drift', () => {
    const first = decide({ maxSize: 8 }, group({ maxSize: 30 }));
    assert.deepEqual(first.record, { original: 30, clamped: 8 });
    const drift = decide({ maxSize: 8 }, group({ maxSize: 50 }), { record: first.record });
    assert.deepEqual(drift.record, { original: 30, clamped: 8 });
  });

  it('in DryRun reports the same changes but records nothing', () => {
    const d = decide({ maxSize: 8 }, group({ maxSize: 30, desiredCapacity: 12 }), {}, dryRun());
    assert.deepEqual(d.changes.map((c) => c.field), ['MaxSize']);
    assert.equal(d.record, undefined);
    assert.equal(d.memory.lastDesired, 12);
  });

  describe('scale-out rate limit', () => {
    const ceiling: GroupCeiling = { maxSize: 50, maxScaleOut: { instances: 4, perMs: 10 * MIN } };
    const obs = (desiredCapacity: number, more: Partial<ObservedGroup> = {}) => group({ maxSize: 50, desiredCapacity, ...more });

    it('lets growth within the allowance through', () => {
      const d = decide(ceiling, obs(8), { memory: { lastDesired: 4 } });
      assert.deepEqual(d.changes, []);
      assert.deepEqual(d.memory.scaleOutWindow, { startMs: 0, baseline: 4 });
    });

    it('holds growth beyond N per period back to baseline + N', () => {
      const d = decide(ceiling, obs(19), { memory: { lastDesired: 4 } });
      assert.deepEqual(d.changes, [{ field: 'DesiredCapacity', from: 19, to: 8, reason: 'ScaleOutRateLimited' }]);
      assert.equal(d.binding, true);
      assert.equal(d.memory.lastDesired, 8);
    });

    it('keeps the window until the period ends, then grants N more', () => {
      const w = { startMs: 0, baseline: 4 };
      const within = decide(ceiling, obs(12), { memory: { lastDesired: 8, scaleOutWindow: w } }, enforce(9 * MIN));
      assert.equal(within.changes[0]?.to, 8);
      const next = decide(ceiling, obs(12), { memory: { lastDesired: 8, scaleOutWindow: w } }, enforce(10 * MIN));
      assert.deepEqual(next.changes, []);
      assert.deepEqual(next.memory.scaleOutWindow, { startMs: 10 * MIN, baseline: 8 });
    });

    it('never drops desired below MinSize to honour the rate', () => {
      const d = decide(ceiling, obs(20, { minSize: 10 }), { memory: { lastDesired: 2 } });
      assert.deepEqual(d.changes, [{ field: 'DesiredCapacity', from: 20, to: 10, reason: 'ScaleOutRateLimited' }]);
    });

    it('lets scale-in through untouched', () => {
      const d = decide(ceiling, obs(2), { memory: { lastDesired: 9, scaleOutWindow: { startMs: 0, baseline: 9 } } }, enforce(MIN));
      assert.deepEqual(d.changes, []);
    });
  });
});
