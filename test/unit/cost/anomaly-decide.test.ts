import assert from 'node:assert/strict';
import type { SpendBaseline } from '../../../src/api/v1alpha1/index.ts';
import { parseMicros } from '../../../src/cloud/pricing/money.ts';
import { explorerDue, explorerPeriod, judgeExplorer, judgeSpend, updateBaseline } from '../../../src/controllers/cost/anomaly-decide.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 1, 0, 0);
const $ = (d: number): number => Math.round(d * 1_000_000);

/** A diurnal fleet: $2/h at night, $10/h from 09:00 to 18:00 UTC. */
const diurnal = (ms: number): number => {
  const h = new Date(ms).getUTCHours();
  return h >= 9 && h < 18 ? $(10) : $(2);
};

/** Samples every 5 minutes from `from` for `ms`, threading the baseline; returns the last verdict. */
function run(from: number, ms: number, spend: (t: number) => number, opts: { prior?: SpendBaseline; windowMs?: number } = {}) {
  const windowMs = opts.windowMs ?? 7 * DAY;
  let baseline = opts.prior;
  let verdict;
  const verdicts = [];
  for (let t = from; t < from + ms; t += 5 * 60_000) {
    verdict = judgeSpend({ estimate: spend(t), nowMs: t, windowMs, spendChangePercent: 50, ...(baseline ? { prior: baseline } : {}) });
    baseline = verdict.baseline;
    verdicts.push({ t, anomalous: verdict.anomalous });
  }
  return { baseline: baseline!, verdict, verdicts };
}

describe('spend baseline and anomaly', () => {
  it('gives no verdict before the hour has a baseline (learning)', () => {
    const v = judgeSpend({ estimate: $(5), nowMs: T0, windowMs: 7 * DAY, spendChangePercent: 50 });
    assert.equal(v.anomalous, false);
    assert.equal(v.baselineHourly, undefined);
    assert.equal(v.baseline.byHour.length, 24);
  });

  it('does not flag a daily peak: 09:00 is compared with earlier days\' 09:00, not with the night', () => {
    const { verdicts } = run(T0, 3 * DAY, diurnal);
    const afterFirstDay = verdicts.filter((v) => v.t >= T0 + DAY);
    assert.equal(afterFirstDay.filter((v) => v.anomalous).length, 0);
  });

  it('flags a real rise at the same hour of day, with numbers in the evidence', () => {
    const { baseline } = run(T0, 3 * DAY, diurnal);
    const at = T0 + 3 * DAY + 10 * HOUR;
    const v = judgeSpend({ estimate: $(20), nowMs: at, windowMs: 7 * DAY, spendChangePercent: 50, prior: baseline });
    assert.equal(v.anomalous, true);
    assert.equal(v.baselineHourly, $(10));
    assert.match(v.evidence[0] ?? '', /estimate \$20\.00\/h vs baseline \$10\.00\/h for 10:00 UTC on the last 3 days \(\+100%, threshold \+50%\)/);
  });

  it('a flat baseline (window under 2 days) would flag the same daily peak', () => {
    const { verdicts } = run(T0, 2 * DAY, diurnal, { windowMs: 12 * HOUR });
    assert.ok(verdicts.some((v) => v.anomalous), 'a flat 12h baseline sees 09:00 as a jump');
  });

  it('stays under the threshold for a rise smaller than spendChangePercent', () => {
    const { baseline } = run(T0, 2 * DAY, () => $(4));
    const v = judgeSpend({ estimate: $(5.9), nowMs: T0 + 2 * DAY + 30 * 60_000, windowMs: 7 * DAY, spendChangePercent: 50, prior: baseline });
    assert.equal(v.anomalous, false);
    assert.match(v.evidence[0] ?? '', /\+48%/);
  });

  it('is bounded: each hour averages at most a window of days, so old spend fades', () => {
    const { baseline } = run(T0, 10 * DAY, () => $(4), { windowMs: 3 * DAY });
    assert.ok(baseline.samples.every((n) => n <= 3));
    const after = run(T0 + 10 * DAY, 6 * DAY, () => $(8), { prior: baseline, windowMs: 3 * DAY }).baseline;
    assert.ok(parseMicros(after.byHour[5]!) > $(7.5), `baseline ${after.byHour[5]} follows the new level`);
  });

  it('survives a restart: the baseline in status carries on where it stopped', () => {
    const first = run(T0, DAY + HOUR, diurnal).baseline;
    const restored = JSON.parse(JSON.stringify(first)) as SpendBaseline;
    const again = updateBaseline({ estimate: $(2), nowMs: T0 + DAY + 2 * HOUR, windowMs: 7 * DAY, prior: restored });
    // The hour in progress at the "restart" (00:00 of day 2) is folded in, not lost.
    assert.equal(first.samples[0], 1);
    assert.equal(again.samples[0], 2);
    assert.equal(again.samples[1], 1);
    assert.equal(again.byHour[0], '2.00');
  });
});

describe('Cost Explorer cross-check', () => {
  it('flags yesterday against the average of the days before', () => {
    const v = judgeExplorer([
      { day: '2026-11-27', micros: $(100) },
      { day: '2026-11-28', micros: $(100) },
      { day: '2026-11-29', micros: $(180) },
    ], 50);
    assert.equal(v?.anomalous, true);
    assert.equal(v?.dailyAverage, $(100));
    assert.match(v?.evidence[0] ?? '', /2026-11-29 cost \$180\.00 vs \$100\.00\/day .*\(\+80%\)/);
  });

  it('needs at least two days for a verdict', () => {
    assert.equal(judgeExplorer([], 50), undefined);
    assert.equal(judgeExplorer([{ day: '2026-11-29', micros: $(5) }], 50)?.anomalous, false);
  });

  it('asks once per UTC day, for the window up to today (at most 14 days)', () => {
    const now = Date.UTC(2026, 10, 30, 3);
    assert.deepEqual(explorerPeriod(now, 7 * DAY), { start: '2026-11-23', end: '2026-11-30' });
    assert.deepEqual(explorerPeriod(now, 90 * DAY), { start: '2026-11-16', end: '2026-11-30' });
    assert.equal(explorerDue(undefined, now), true);
    assert.equal(explorerDue('2026-11-30T00:10:00Z', now), false);
    assert.equal(explorerDue('2026-11-29T23:59:00Z', now), true);
  });
});
