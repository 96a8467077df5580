import assert from 'node:assert/strict';
import { decideGroup, minSizeChange, type GroupCeiling, type GroupInput, type GroupMemory, type ObservedGroup } from '../../../src/controllers/actuator/asg-decide.ts';
import type { Cap } from '../../../src/controllers/actuator/caps.ts';
import type { FieldRecord } from '../../../src/controllers/actuator/field-decide.ts';

const MIN = 60_000;

function group(overrides: Partial<ObservedGroup> = {}): ObservedGroup {
  return { name: 'orders-asg', minSize: 1, maxSize: 10, desiredCapacity: 4, inService: 4, ...overrides };
}

const enforce = (nowMs = 0) => ({ nowMs, act: true });
const dryRun = (nowMs = 0) => ({ nowMs, act: false });
const spec = (value: number): Cap => ({ value, by: 'spec' });

/** decideGroup with the spec ceiling as the cap unless one is given. */
function decide(ceiling: GroupCeiling, observed: ObservedGroup, more: { memory?: GroupMemory; record?: FieldRecord; minRecord?: FieldRecord; cap?: Cap } = {}, ctx = enforce()) {
  const input: GroupInput = { ceiling, cap: more.cap ?? spec(ceiling.maxSize), observed, record: more.record, minRecord: more.minRecord, memory: more.memory ?? {} };
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

  it('leaves drift on a record another acting guard wrote to that guard: its value may still be in flight (record first, then value)', () => {
    // Another guard wrote its record (clamped 10) and is about to lower MaxSize from 20; this guard, whose own ceiling is 20, reads the group in between.
    const input: GroupInput = { ceiling: { maxSize: 20 }, cap: { value: 10, by: 'guard ns/low' }, observed: group({ maxSize: 20 }), record: { original: 50, clamped: 10 }, memory: {}, stood: false };
    const change = (more: Partial<GroupInput>) => decideGroup({ ...input, ...more }, enforce()).changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`);
    assert.deepEqual(change({ peerRecord: true }), ['MaxSize 20→10 AboveCeiling'], 'lowered all the same, not called drift');
    assert.deepEqual(change({ peerRecord: false }), ['MaxSize 20→10 Drift'], 'its own record: a raise over its value is drift');
    assert.deepEqual(change({ peerRecord: true, stood: true, observed: group({ maxSize: 50 }) }), ['MaxSize 50→10 AboveCeiling'], 'a raise back to the original on a peer\'s record is the peer\'s to call');
  });

  describe('MinSize, lowered with MaxSize, is recorded and given back', () => {
    it('records the original MinSize when a hold takes MaxSize below it', () => {
      const d = decide({ maxSize: 20 }, group({ minSize: 6, maxSize: 20, desiredCapacity: 8 }), { cap: { value: 4, by: 'runaway' } });
      assert.deepEqual(d.changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`), ['MaxSize 20→4 AboveCeiling', 'MinSize 6→4 MinAboveCeiling']);
      assert.deepEqual(d.minRecord, { original: 6, clamped: 4 });
    });

    it('a further lowering keeps the first original', () => {
      const d = decide({ maxSize: 20 }, group({ minSize: 4, maxSize: 4 }), { record: { original: 20, clamped: 4 }, minRecord: { original: 6, clamped: 4 }, cap: { value: 2, by: 'runaway' } });
      assert.deepEqual(d.minRecord, { original: 6, clamped: 2 });
    });

    it('gives MinSize back as the hold lifts: partly with a partial release, fully with MaxSize', () => {
      const partial = decide({ maxSize: 5 }, group({ minSize: 4, maxSize: 4, desiredCapacity: 4 }), { record: { original: 20, clamped: 4 }, minRecord: { original: 6, clamped: 4 } });
      assert.deepEqual(partial.changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`), ['MaxSize 4→5 Released', 'MinSize 4→5 Released']);
      assert.deepEqual(partial.minRecord, { original: 6, clamped: 5 });
      const full = decide({ maxSize: 30 }, group({ minSize: 4, maxSize: 4, desiredCapacity: 4 }), { record: { original: 20, clamped: 4 }, minRecord: { original: 6, clamped: 4 } });
      assert.deepEqual(full.changes.map((x) => `${x.field} ${x.from}→${x.to} ${x.reason}`), ['MaxSize 4→20 Released', 'MinSize 4→6 Released']);
      assert.equal(full.minRecord, undefined, 'back at its original: the record goes');
    });

    it('a MinSize someone changed since is theirs: never raised, the record goes', () => {
      const d = minSizeChange(group({ minSize: 3, maxSize: 20 }), 20, { original: 6, clamped: 4 });
      assert.equal(d.change, undefined);
      assert.equal(d.record, undefined);
    });

    it('never raises MinSize above MaxSize or above its original', () => {
      for (let maxAfter = 0; maxAfter <= 12; maxAfter++) {
        for (let min = 0; min <= maxAfter; min++) {
          const d = minSizeChange(group({ minSize: min, maxSize: maxAfter }), maxAfter, { original: 7, clamped: min });
          if (d.change) assert.ok(d.change.to <= Math.min(7, maxAfter) && d.change.to > min, JSON.stringify({ maxAfter, min, d }));
        }
      }
    });
  });

  it('never raises a value without a record, and never above the recorded original', () => {
    for (let max = 0; max <= 12; max++) {
      for (let desired = 0; desired <= max; desired++) {
        for (const record of [undefined, { original: 9, clamped: max }, { original: 3, clamped: max }]) {
          const d = decide({ maxSize: 6, maxScaleOut: { instances: 2, perMs: 10 * MIN } }, group({ minSize: 0, maxSize: max, desiredCapacity: desired }), { memory: { history: [{ atMs: 0, desired: 1 }] }, record });
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
  });

  describe('scale-out rate limit (a cap on MaxSize over a sliding window)', () => {
    const ceiling: GroupCeiling = { maxSize: 50, maxScaleOut: { instances: 4, perMs: 10 * MIN } };
    const obs = (desiredCapacity: number, more: Partial<ObservedGroup> = {}) => group({ maxSize: 50, desiredCapacity, ...more });
    const history = (...points: [number, number][]) => ({ history: points.map(([atMs, desired]) => ({ atMs, desired })) });

    it('holds MaxSize at desired + N from the first look, recording the original', () => {
      const d = decide(ceiling, obs(4));
      assert.deepEqual(d.changes, [{ field: 'MaxSize', from: 50, to: 8, reason: 'ScaleOutRateLimited' }]);
      assert.deepEqual(d.record, { original: 50, clamped: 8 });
      assert.equal(d.cap.by, 'rate');
    });

    it('uses the lowest desired of the last period, so growth cannot reach 2N across a boundary', () => {
      const d = decide(ceiling, obs(8, { maxSize: 8 }), { memory: history([0, 4]), record: { original: 50, clamped: 8 } }, enforce(9 * MIN));
      assert.deepEqual(d.changes, [], 'still 4 + 4 while the sample at 4 is within the period');
      assert.equal(d.binding, true);
      const later = decide(ceiling, obs(8, { maxSize: 8 }), { memory: d.memory, record: { original: 50, clamped: 8 } }, enforce(10 * MIN));
      assert.deepEqual(later.changes, [{ field: 'MaxSize', from: 8, to: 12, reason: 'Released' }]);
    });

    it('holds back a jump that happened between two looks (AWS lowers desired with MaxSize)', () => {
      const d = decide(ceiling, obs(19, { maxSize: 8 }), { memory: history([0, 4]), record: { original: 50, clamped: 8 } }, enforce(MIN));
      assert.deepEqual(d.changes, [], 'MaxSize is already the cap');
      const raised = decide(ceiling, obs(19), { memory: history([0, 4]) }, enforce(MIN));
      assert.deepEqual(raised.changes, [{ field: 'MaxSize', from: 50, to: 8, reason: 'ScaleOutRateLimited' }]);
    });

    it('never holds MaxSize below MinSize', () => {
      const d = decide(ceiling, obs(2, { minSize: 10 }), { memory: history([0, 2]) });
      assert.equal(d.changes[0]?.to, 10);
    });

    it('never raises MaxSize above the spec ceiling or the original', () => {
      const d = decide(ceiling, obs(48, { maxSize: 46 }), { memory: history([0, 48]), record: { original: 47, clamped: 46 } }, enforce(MIN));
      assert.deepEqual(d.changes, [{ field: 'MaxSize', from: 46, to: 47, reason: 'Released' }]);
    });
  });

  describe('a scripted target-tracking group under the rate limit', () => {
    const N = 4;
    const per = 10 * MIN;

    /** One tick per minute: CostGuard reconciles, then the group's policy scales toward demand within MaxSize. */
    function run(demand: (minute: number) => number, minutes: number) {
      let maxSize = 50;
      let desired = 4;
      let record: FieldRecord | undefined;
      let memory: GroupMemory = {};
      let launches = 0;
      let terminations = 0; // forced by CostGuard lowering MaxSize under running capacity
      let scaleIn = 0; // asked for by the demand
      const trace: number[] = [];
      for (let m = 0; m < minutes; m++) {
        const d = decide({ maxSize: 50, maxScaleOut: { instances: N, perMs: per } }, group({ minSize: 1, maxSize, desiredCapacity: desired, inService: desired }), { memory, record }, enforce(m * MIN));
        memory = d.memory;
        record = d.record;
        const newMax = d.changes.find((c) => c.field === 'MaxSize')?.to;
        if (newMax !== undefined) maxSize = newMax;
        // AWS: MaxSize below desired lowers desired (terminations).
        if (desired > maxSize) (terminations += desired - maxSize), (desired = maxSize);
        const want = Math.min(demand(m), maxSize);
        if (want > desired) launches += want - desired;
        if (want < desired) scaleIn += desired - want;
        desired = want;
        trace.push(desired);
      }
      return { trace, launches, terminations, scaleIn, maxSize };
    }

    function assertRate(trace: number[]): void {
      for (let a = 0; a < trace.length; a++) {
        for (let b = a + 1; b < trace.length && (b - a) * MIN <= per; b++) {
          assert.ok(trace[b]! - trace[a]! <= N, `grew ${trace[b]! - trace[a]!} between minute ${a} and ${b}: ${trace.join(',')}`);
        }
      }
    }

    it('a surge to 40: never more than N per period, and every instance launched is kept', () => {
      const r = run(() => 40, 120);
      assertRate(r.trace);
      assert.equal(r.terminations, 0, 'no launch/terminate churn');
      assert.equal(r.launches, 40 - 4);
      assert.equal(r.trace.at(-1), 40, 'capacity still reaches demand, N per period');
    });

    it('demand that falls and surges again: still no churn from the limit, and the rate holds', () => {
      const r = run((m) => (m < 30 ? 20 : m < 50 ? 6 : 45), 150);
      assertRate(r.trace);
      assert.equal(r.terminations, 0, 'CostGuard never forced a termination');
      assert.equal(r.launches - r.scaleIn, r.trace.at(-1)! - 4, 'every launch is kept unless the demand itself scaled in');
      assert.equal(r.trace.at(-1), 45);
      assert.ok(r.maxSize <= 50);
    });
  });
});
