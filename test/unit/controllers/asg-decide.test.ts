import assert from 'node:assert/strict';
import { decideGroup, type GroupCeiling, type GroupMemory, type ObservedGroup } from '../../../src/controllers/ceilings/asg-decide.ts';

const MIN = 60_000;

function group(overrides: Partial<ObservedGroup> = {}): ObservedGroup {
  return { name: 'orders-asg', minSize: 1, maxSize: 10, desiredCapacity: 4, inService: 4, ...overrides };
}

const enforce = (nowMs = 0) => ({ nowMs, act: true });
const dryRun = (nowMs = 0) => ({ nowMs, act: false });

describe('decideGroup', () => {
  const cases: { name: string; ceiling: GroupCeiling; observed: ObservedGroup; memory?: GroupMemory; expect: string[]; binding: boolean }[] = [
    { name: 'leaves a compliant group alone', ceiling: { maxSize: 20 }, observed: group(), expect: [], binding: false },
    { name: 'leaves a group exactly at its ceiling alone', ceiling: { maxSize: 10 }, observed: group(), expect: [], binding: false },
    { name: 'clamps MaxSize above the ceiling', ceiling: { maxSize: 8 }, observed: group(), expect: ['MaxSize 10→8 AboveCeiling'], binding: false },
    {
      name: 'clamps DesiredCapacity above the ceiling too',
      ceiling: { maxSize: 8 },
      observed: group({ desiredCapacity: 10 }),
      expect: ['MaxSize 10→8 AboveCeiling', 'DesiredCapacity 10→8 AboveCeiling'],
      binding: true,
    },
    {
      name: 'lowers MinSize when it is above the ceiling (AWS rejects Max < Min)',
      ceiling: { maxSize: 3 },
      observed: group({ minSize: 5, desiredCapacity: 5 }),
      expect: ['MaxSize 10→3 AboveCeiling', 'MinSize 5→3 MinAboveCeiling', 'DesiredCapacity 5→3 AboveCeiling'],
      binding: true,
    },
    {
      name: 'calls a raise after our clamp drift',
      ceiling: { maxSize: 8 },
      observed: group({ maxSize: 40 }),
      memory: { originalMaxSize: 10 },
      expect: ['MaxSize 40→8 Drift'],
      binding: false,
    },
    { name: 'reports binding when desired sits at the ceiling', ceiling: { maxSize: 4 }, observed: group({ maxSize: 4 }), expect: [], binding: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideGroup(c.ceiling, c.observed, c.memory ?? {}, enforce());
      assert.deepEqual(d.changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`), c.expect);
      assert.equal(d.binding, c.binding);
    });
  }

  it('never raises a value', () => {
    for (let max = 0; max <= 12; max++) {
      for (let desired = 0; desired <= max; desired++) {
        const d = decideGroup({ maxSize: 6, maxScaleOut: { instances: 2, perMs: 10 * MIN } }, group({ minSize: 0, maxSize: max, desiredCapacity: desired }), { lastDesired: 1 }, enforce());
        for (const change of d.changes) assert.ok(change.to < change.from, `${change.field} ${change.from}→${change.to}`);
      }
    }
  });

  it('records the pre-clamp MaxSize once, and keeps it across drift', () => {
    const first = decideGroup({ maxSize: 8 }, group({ maxSize: 30 }), {}, enforce());
    assert.equal(first.memory.originalMaxSize, 30);
    const drift = decideGroup({ maxSize: 8 }, group({ maxSize: 50 }), first.memory, enforce());
    assert.equal(drift.memory.originalMaxSize, 30);
  });

  it('in DryRun reports the same changes but records no original', () => {
    const d = decideGroup({ maxSize: 8 }, group({ maxSize: 30, desiredCapacity: 12 }), {}, dryRun());
    assert.deepEqual(d.changes.map((c) => c.field), ['MaxSize', 'DesiredCapacity']);
    assert.equal(d.memory.originalMaxSize, undefined);
    assert.equal(d.memory.lastDesired, 12);
  });

  describe('scale-out rate limit', () => {
    const ceiling: GroupCeiling = { maxSize: 50, maxScaleOut: { instances: 4, perMs: 10 * MIN } };

    it('lets growth within the allowance through', () => {
      const d = decideGroup(ceiling, group({ maxSize: 50, desiredCapacity: 8 }), { lastDesired: 4 }, enforce());
      assert.deepEqual(d.changes, []);
      assert.deepEqual(d.memory.scaleOutWindow, { startMs: 0, baseline: 4 });
    });

    it('holds growth beyond N per period back to baseline + N', () => {
      const d = decideGroup(ceiling, group({ maxSize: 50, desiredCapacity: 19 }), { lastDesired: 4 }, enforce());
      assert.deepEqual(d.changes, [{ field: 'DesiredCapacity', from: 19, to: 8, reason: 'ScaleOutRateLimited' }]);
      assert.equal(d.binding, true);
      assert.equal(d.memory.lastDesired, 8);
    });

    it('keeps the window until the period ends, then grants N more', () => {
      const w = { startMs: 0, baseline: 4 };
      const within = decideGroup(ceiling, group({ maxSize: 50, desiredCapacity: 12 }), { lastDesired: 8, scaleOutWindow: w }, enforce(9 * MIN));
      assert.equal(within.changes[0]?.to, 8);
      const next = decideGroup(ceiling, group({ maxSize: 50, desiredCapacity: 12 }), { lastDesired: 8, scaleOutWindow: w }, enforce(10 * MIN));
      assert.deepEqual(next.changes, []);
      assert.deepEqual(next.memory.scaleOutWindow, { startMs: 10 * MIN, baseline: 8 });
    });

    it('never drops desired below MinSize to honour the rate', () => {
      const d = decideGroup(ceiling, group({ minSize: 10, maxSize: 50, desiredCapacity: 20 }), { lastDesired: 2 }, enforce());
      assert.deepEqual(d.changes, [{ field: 'DesiredCapacity', from: 20, to: 10, reason: 'ScaleOutRateLimited' }]);
    });

    it('lets scale-in through untouched', () => {
      const d = decideGroup(ceiling, group({ maxSize: 50, desiredCapacity: 2 }), { lastDesired: 9, scaleOutWindow: { startMs: 0, baseline: 9 } }, enforce(MIN));
      assert.deepEqual(d.changes, []);
    });
  });
});
