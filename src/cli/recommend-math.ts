// The ceiling `costguard recommend` proposes for one group, from its desired-capacity history.
// Pure: samples and options in, the ceiling and its evidence out.
//
// The rule, and why:
// - Days are split into normal and unusual. A day is unusual when its peak is above
//   `unusualPeakFactor` × the median day's peak, or when the runaway detector flagged it: an
//   incident must not teach the ceiling that the incident's capacity is normal.
// - The proposal is the `percentile` of desired capacity over the normal days × `headroom`,
//   rounded up, and never below the highest level any normal day reached (a ceiling that
//   would have clamped a normal day is a ceiling users remove) unless `belowNormalPeak`.
// - "Binding" minutes are those where the group asked for more than the ceiling, i.e. where
//   CostGuard would have clamped DesiredCapacity.
import { utcDay } from './history-time.ts';

export interface CapacitySample {
  /** Seconds from the start of the history. */
  readonly t: number;
  readonly desired: number;
}

export interface RecommendOptions {
  /** 0 < percentile ≤ 100, e.g. 99. */
  readonly percentile: number;
  /** ≥ 1, e.g. 1.2 for 20 % above the percentile. */
  readonly headroom: number;
  /** Allow a ceiling below the highest normal day's peak. */
  readonly belowNormalPeak: boolean;
  /** A day whose peak exceeds this × the median day's peak is unusual (e.g. 1.5). */
  readonly unusualPeakFactor: number;
  /** Epoch ms of t=0: days are UTC dates when known, else "day 1", "day 2"… from t=0. */
  readonly startMs?: number;
  /** Days the runaway detector flagged, by the same day key. */
  readonly flaggedDays?: ReadonlySet<string>;
}

export interface DayEvidence {
  readonly day: string;
  readonly peak: number;
  readonly normal: boolean;
  /** Why an unusual day was left out of the distribution. */
  readonly reason?: string;
  /** Minutes the group asked for more than the proposed ceiling. */
  readonly bindingMinutes: number;
}

export interface Recommendation {
  readonly ceiling: number;
  /** The percentile of desired capacity over the normal days. */
  readonly percentileValue: number;
  /** ceil(percentileValue × headroom). */
  readonly fromPercentile: number;
  readonly normalPeak: number;
  readonly normalPeakDay: string;
  /** Which rule set the ceiling. */
  readonly basis: 'percentile' | 'normal-peak';
  readonly medianDayPeak: number;
  /** Seconds between samples (the median step), which each binding sample counts for. */
  readonly stepSeconds: number;
  readonly days: readonly DayEvidence[];
}

export class RecommendError extends Error {}

/** The day a sample belongs to. */
export function dayKey(t: number, startMs: number | undefined): string {
  return startMs === undefined ? `day ${Math.floor(t / 86_400) + 1}` : utcDay(startMs + t * 1000);
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The median step between consecutive samples, at least 1 s. */
export function stepSeconds(samples: readonly CapacitySample[]): number {
  const steps = samples.slice(1).map((s, i) => s.t - samples[i]!.t);
  return Math.max(1, steps.length ? percentile(steps, 50) : 60);
}

function byDay(samples: readonly CapacitySample[], startMs: number | undefined): Map<string, CapacitySample[]> {
  const days = new Map<string, CapacitySample[]>();
  for (const s of samples) {
    const key = dayKey(s.t, startMs);
    const list = days.get(key) ?? [];
    list.push(s);
    days.set(key, list);
  }
  return days;
}

function unusualReason(day: string, peak: number, medianPeak: number, o: RecommendOptions): string | undefined {
  if (o.flaggedDays?.has(day)) return 'the runaway detector flagged it';
  if (peak > o.unusualPeakFactor * medianPeak) return `peak ${peak} is above ${o.unusualPeakFactor} × the median day's peak ${medianPeak}`;
  return undefined;
}

/** Throws TypeError for options no caller should pass (the CLI checks flags before). */
function checkOptions(o: RecommendOptions): void {
  if (!(o.percentile > 0 && o.percentile <= 100)) throw new TypeError(`percentile must be in (0, 100], got ${o.percentile}`);
  if (!(o.headroom >= 1)) throw new TypeError(`headroom must be at least 1, got ${o.headroom}`);
  if (!(o.unusualPeakFactor > 1)) throw new TypeError(`unusualPeakFactor must be above 1, got ${o.unusualPeakFactor}`);
}

/** The proposal for one group; RecommendError when the history has no desired capacity. */
export function recommendCeiling(samples: readonly CapacitySample[], o: RecommendOptions): Recommendation {
  checkOptions(o);
  if (samples.length === 0) throw new RecommendError('the history has no desired capacity (the desired column, CloudWatch GroupDesiredCapacity)');
  const days = byDay(samples, o.startMs);
  const peaks = new Map([...days].map(([d, ss]) => [d, Math.max(...ss.map((s) => s.desired))]));
  const medianDayPeak = percentile([...peaks.values()], 50);
  const reasons = new Map([...peaks].map(([d, peak]) => [d, unusualReason(d, peak, medianDayPeak, o)]));
  // Every day unusual (one short history, all of it flagged) leaves nothing to learn from: use all.
  const normalDays = [...days.keys()].filter((d) => reasons.get(d) === undefined);
  const learnFrom = normalDays.length ? normalDays : [...days.keys()];
  const normalValues = learnFrom.flatMap((d) => days.get(d)!.map((s) => s.desired));
  const percentileValue = percentile(normalValues, o.percentile);
  const fromPercentile = Math.max(1, Math.ceil(percentileValue * o.headroom - 1e-9));
  const [normalPeakDay, normalPeak] = learnFrom.map((d) => [d, peaks.get(d)!] as const).reduce((a, b) => (b[1] > a[1] ? b : a));
  const ceiling = o.belowNormalPeak ? fromPercentile : Math.max(fromPercentile, Math.ceil(normalPeak));
  const step = stepSeconds(samples);
  const evidence = [...days].map(([day, ss]): DayEvidence => {
    const reason = normalDays.length ? reasons.get(day) : undefined;
    const bindingMinutes = (ss.filter((s) => s.desired > ceiling).length * step) / 60;
    return { day, peak: peaks.get(day)!, normal: reason === undefined, ...(reason ? { reason } : {}), bindingMinutes };
  });
  return { ceiling, percentileValue, fromPercentile, normalPeak, normalPeakDay, basis: ceiling === fromPercentile ? 'percentile' : 'normal-peak', medianDayPeak, stepSeconds: step, days: evidence };
}
