import assert from 'node:assert/strict';
import { decideField, type FieldInput, type FieldRecord } from '../../../src/controllers/ceilings/field-decide.ts';

const input = (current: number | undefined, cap: number, record?: FieldRecord, more: Partial<FieldInput> = {}): FieldInput => ({
  current,
  unsetMeans: Infinity,
  cap: { value: cap, by: 'spec' },
  record,
  live: false,
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
    { name: 'a live count is lowered but never raised', in: input(12, 20, { original: 50, clamped: 12 }, { live: true }), expect: 'none / 50:12' },
    { name: 'a live count above the cap is lowered', in: input(45, 30, undefined, { live: true }), expect: '45→30 AboveCeiling / 45:30' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(show(decideField(c.in)), c.expect));

  it('never raises without a record, never above the original, never a live count', () => {
    for (let current = 0; current <= 12; current++) {
      for (let cap = 0; cap <= 12; cap++) {
        for (const record of [undefined, { original: 8, clamped: current }, { original: 8, clamped: 3 }]) {
          const raised = [false, true].map((live) => ({ live, to: decideField(input(current, cap, record, { live })).change?.to })).filter((r) => r.to !== undefined && r.to > current);
          assert.ok(raised.every((r) => record && !r.live && r.to! <= 8), `${current} cap ${cap} ${JSON.stringify({ record, raised })}`);
        }
      }
    }
  });
});
