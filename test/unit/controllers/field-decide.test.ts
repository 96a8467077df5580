import assert from 'node:assert/strict';
import { decideField, releaseGoal, type FieldInput, type FieldRecord } from '../../../src/controllers/actuator/field-decide.ts';

const input = (current: number | undefined, cap: number, record?: FieldRecord, more: Partial<FieldInput> = {}): FieldInput => ({
  current,
  unsetMeans: Infinity,
  cap: { value: cap, by: 'spec' },
  record,
  ...more,
});
const show = (d: ReturnType<typeof decideField>): string =>
  `${d.change ? `${String(d.change.from)}→${String(d.change.to)} ${d.change.reason}` : 'none'} / ${d.record ? `${String(d.record.original)}:${d.record.clamped}` : 'no record'}`;

describe('decideField', () => {
  const cases: { name: string; in: FieldInput; expect: string }[] = [
    { name: 'within the cap, no record: nothing', in: input(10, 20), expect: 'none / no record' },
    { name: 'above the cap: lower and record the original', in: input(50, 20), expect: '50→20 AboveCeiling / 50:20' },
    { name: 'unset (unlimited) above the cap: Unset, original recorded as unset', in: input(undefined, 20), expect: 'undefined→20 Unset / undefined:20' },
    { name: 'still CostGuard\'s value, cap unchanged: nothing, record kept', in: input(20, 20, { original: 50, clamped: 20 }), expect: 'none / 50:20' },
    { name: 'cap lowered under CostGuard\'s value: CeilingLowered', in: input(20, 12, { original: 50, clamped: 20 }), expect: '20→12 CeilingLowered / 50:12' },
    { name: 'raised over CostGuard\'s value: Drift, original kept', in: input(40, 20, { original: 50, clamped: 20 }), expect: '40→20 Drift / 50:20' },
    { name: 'back at the original: our write never landed, not drift', in: input(50, 20, { original: 50, clamped: 20 }), expect: '50→20 AboveCeiling / 50:20' },
    { name: 'lowered by someone below our value: theirs, record dropped', in: input(10, 20, { original: 50, clamped: 20 }), expect: 'none / no record' },
    { name: 'cap raised while ours: released up to the cap', in: input(12, 20, { original: 50, clamped: 12 }), expect: '12→20 Released / 50:20' },
    { name: 'cap raised above the original: back to the original, record gone', in: input(12, 80, { original: 50, clamped: 12 }), expect: '12→50 Released / no record' },
    { name: 'released to an unset original: the field is unset again', in: input(30, 100, { original: undefined, clamped: 30 }, { unsetMeans: 100 }), expect: '30→undefined Released / no record' },
    { name: 'a live count CostGuard lowered is given back up to the cap when the hold lifts', in: input(12, 20, { original: 50, clamped: 12 }), expect: '12→20 Released / 50:20' },
    { name: 'a live count above the cap is lowered, its original recorded', in: input(45, 30, undefined), expect: '45→30 AboveCeiling / 45:30' },
    { name: 'a live count changed since (an autoscaler moved it) is theirs: never raised', in: input(14, 50, { original: 50, clamped: 12 }), expect: 'none / no record' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(show(decideField(c.in)), c.expect));

  it('never raises without a record, never above the original, never a value that is not its own', () => {
    for (let current = 0; current <= 12; current++) {
      for (let cap = 0; cap <= 12; cap++) {
        for (const record of [undefined, { original: 8, clamped: current }, { original: 8, clamped: 3 }]) {
          const to = decideField(input(current, cap, record)).change?.to ?? -Infinity;
          const legal = to <= current || (record !== undefined && record.clamped === current && to <= 8 && to <= cap);
          assert.ok(legal, `${current} cap ${cap} ${JSON.stringify({ record, to })}`);
        }
      }
    }
  });

  it('releaseGoal is the one release rule: min(cap, original), back when the original is reached', () => {
    assert.deepEqual(releaseGoal({ original: 50, clamped: 12 }, 20, Infinity), { value: 20, to: 20, back: false });
    assert.deepEqual(releaseGoal({ original: 50, clamped: 12 }, 80, Infinity), { value: 50, to: 50, back: true });
    assert.deepEqual(releaseGoal({ original: undefined, clamped: 30 }, Infinity, 100), { value: 100, to: undefined, back: true });
  });
});
