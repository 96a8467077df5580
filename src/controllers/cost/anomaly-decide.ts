// Pure: the spend-change baseline and the anomaly verdict on CostGuard's own estimate.
//
// The baseline is restart-safe and bounded: it lives in status as 24 means, one per UTC hour of
// day, each averaging up to `windowDays` days (or, for a window under 2 days, one mean over up
// to `windowHours` hours). Samples within an hour are averaged first; when the hour ends its
// mean is folded into its bucket as a running mean until the bucket holds a window's worth,
// then as an exponential mean with weight 1/window, which tracks a sliding window without
// storing it. Comparing 14:00 with earlier days' 14:00 keeps a daily peak from looking like an
// anomaly every afternoon. No verdict before the bucket for this hour has one full period.
import type { SpendBaseline } from '../../api/v1alpha1/index.ts';
import { formatMicros, parseMicros } from '../../cloud/pricing/money.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface AnomalyInput {
  /** The estimate now, micro-dollars per hour. */
  estimate: number;
  nowMs: number;
  windowMs: number;
  spendChangePercent: number;
  prior?: SpendBaseline;
}

export interface AnomalyVerdict {
  baseline: SpendBaseline;
  /** The baseline for the current hour, once there is one. */
  baselineHourly?: number;
  anomalous: boolean;
  evidence: string[];
}

/** True when the window is long enough to compare each hour of day with itself. */
export function isDiurnal(windowMs: number): boolean {
  return windowMs >= 2 * DAY_MS;
}

function bucketOf(ms: number, diurnal: boolean): number {
  return diurnal ? new Date(ms).getUTCHours() : 0;
}

function hourStartOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function emptyBaseline(nowMs: number, buckets: number): SpendBaseline {
  return { hourStart: new Date(hourStartOf(nowMs)).toISOString(), hourAverage: '0.00', hourSamples: 0, byHour: Array<string>(buckets).fill('0.00'), samples: Array<number>(buckets).fill(0) };
}

/** Folds the finished hour of `b` into its bucket. */
function foldHour(b: SpendBaseline, diurnal: boolean, cap: number): SpendBaseline {
  if (b.hourSamples === 0) return b;
  const i = bucketOf(Date.parse(b.hourStart), diurnal);
  const n = b.samples[i] ?? 0;
  const weight = Math.min(n + 1, cap);
  const mean = parseMicros(b.byHour[i] ?? '0');
  const next = Math.round(mean + (parseMicros(b.hourAverage) - mean) / weight);
  const byHour = [...b.byHour];
  const samples = [...b.samples];
  byHour[i] = formatMicros(next);
  samples[i] = Math.min(n + 1, cap);
  return { ...b, byHour, samples };
}

/** The baseline after taking one sample of the estimate at `nowMs`. */
export function updateBaseline(input: Pick<AnomalyInput, 'estimate' | 'nowMs' | 'windowMs' | 'prior'>): SpendBaseline {
  const diurnal = isDiurnal(input.windowMs);
  const buckets = diurnal ? 24 : 1;
  const cap = Math.max(1, Math.round(input.windowMs / (diurnal ? DAY_MS : HOUR_MS)));
  let b = input.prior && input.prior.byHour.length === buckets ? input.prior : emptyBaseline(input.nowMs, buckets);
  const hourStart = hourStartOf(input.nowMs);
  if (Date.parse(b.hourStart) !== hourStart) {
    b = { ...foldHour(b, diurnal, cap), hourStart: new Date(hourStart).toISOString(), hourAverage: '0.00', hourSamples: 0 };
  }
  const n = b.hourSamples;
  const avg = Math.round((parseMicros(b.hourAverage) * n + input.estimate) / (n + 1));
  return { ...b, sampledAt: new Date(input.nowMs).toISOString(), hourAverage: formatMicros(avg), hourSamples: Math.min(n + 1, 1_000_000) };
}

const usd = (micros: number): string => `$${formatMicros(micros)}/h`;

function describeBucket(nowMs: number, diurnal: boolean, samples: number): string {
  if (!diurnal) return `the last ${samples} hour${samples === 1 ? '' : 's'}`;
  const hour = String(new Date(nowMs).getUTCHours()).padStart(2, '0');
  return `${hour}:00 UTC on the last ${samples} day${samples === 1 ? '' : 's'}`;
}

/** Takes a sample and judges it against the baseline for this hour (before the sample). */
export function judgeSpend(input: AnomalyInput): AnomalyVerdict {
  const baseline = updateBaseline(input);
  const diurnal = isDiurnal(input.windowMs);
  const i = bucketOf(input.nowMs, diurnal);
  const samples = baseline.samples[i] ?? 0;
  if (samples === 0) return { baseline, anomalous: false, evidence: [] };
  const base = parseMicros(baseline.byHour[i] ?? '0');
  const limit = base + Math.floor((base * input.spendChangePercent) / 100);
  const anomalous = base > 0 && input.estimate > limit;
  const change = base > 0 ? Math.round(((input.estimate - base) * 100) / base) : 0;
  const sign = change >= 0 ? '+' : '';
  const evidence = [
    `estimate ${usd(input.estimate)} vs baseline ${usd(base)} for ${describeBucket(input.nowMs, diurnal, samples)} (${sign}${change}%, threshold +${input.spendChangePercent}%)`,
  ];
  return { baseline, baselineHourly: base, anomalous, evidence };
}

export interface DailyCost {
  /** YYYY-MM-DD (UTC). */
  day: string;
  micros: number;
}

export interface ExplorerVerdict {
  day: string;
  dailyCost: number;
  dailyAverage?: number;
  anomalous: boolean;
  evidence: string[];
}

/** Cost Explorer's last complete day against the mean of the days before it. */
export function judgeExplorer(days: readonly DailyCost[], spendChangePercent: number): ExplorerVerdict | undefined {
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const last = sorted.at(-1);
  if (!last) return undefined;
  const before = sorted.slice(0, -1);
  if (!before.length) return { day: last.day, dailyCost: last.micros, anomalous: false, evidence: [] };
  const average = Math.round(before.reduce((s, d) => s + d.micros, 0) / before.length);
  const limit = average + Math.floor((average * spendChangePercent) / 100);
  const anomalous = average > 0 && last.micros > limit;
  const change = average > 0 ? Math.round(((last.micros - average) * 100) / average) : 0;
  const evidence = [`Cost Explorer: ${last.day} cost $${formatMicros(last.micros)} vs $${formatMicros(average)}/day averaged over the days before it (${change >= 0 ? '+' : ''}${change}%)`];
  return { day: last.day, dailyCost: last.micros, dailyAverage: average, anomalous, evidence };
}

/** The UTC days [start, end) Cost Explorer is asked for: the window (at most 14 days) up to today. */
export function explorerPeriod(nowMs: number, windowMs: number): { start: string; end: string } {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const days = Math.min(14, Math.max(2, Math.ceil(windowMs / DAY_MS)));
  const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  return { start: iso(today - days * DAY_MS), end: iso(today) };
}

/** True when the last check is from an earlier UTC day (or there is none). */
export function explorerDue(checkedAt: string | undefined, nowMs: number): boolean {
  if (!checkedAt) return true;
  return Math.floor(Date.parse(checkedAt) / DAY_MS) < Math.floor(nowMs / DAY_MS);
}
