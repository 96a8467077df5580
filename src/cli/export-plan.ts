// How `costguard export` splits a pull into GetMetricData calls, and whether CloudWatch still
// has the data at all. Pure, so the call count the command announces before it starts (they
// are billed per metric requested) is the count it makes.
//
// AWS's limits per GetMetricData call: 500 queries, and 100,800 datapoints in one response
// (more comes back in NextToken pages, each billed again). The plan keeps every call under
// both, so a pull pages only when CloudWatch returns more than it was asked for.
import type { MetricQuery, MetricWindow } from '../cloud/metric-history.ts';

export const GET_METRIC_DATA_LIMITS = { queries: 500, datapoints: 100_800 } as const;

export interface Limits {
  readonly queries: number;
  readonly datapoints: number;
}

export interface PlannedCall {
  readonly queries: readonly MetricQuery[];
  readonly window: MetricWindow;
}

/** Periods in a window (the datapoints one query can return). */
export function pointsPerQuery(window: MetricWindow): number {
  return Math.ceil((window.endMs - window.startMs) / (window.periodSeconds * 1000));
}

/** The fewest calls any client could make: max(queries ÷ 500, datapoints ÷ 100,800), rounded up. */
export function callFloor(queryCount: number, points: number, limits: Limits = GET_METRIC_DATA_LIMITS): number {
  if (queryCount === 0 || points === 0) return 0;
  return Math.max(Math.ceil(queryCount / limits.queries), Math.ceil((queryCount * points) / limits.datapoints));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The calls of a pull. CloudWatch bills every metric of every call, so cutting a window into
 * parts bills its metrics again: each metric is read once over the whole window, as many per
 * call as fit (500, and metrics × periods ≤ 100,800). That bills each metric once and takes the
 * fewest calls that do; it is within rounding of the floor (`callFloor`), which only a plan
 * that bills metrics several times could reach. Within CloudWatch's retention a window always
 * fits one call (15 days of minutes are 21,600 periods); a longer one is cut, one metric a call.
 */
export function planCalls(queries: readonly MetricQuery[], window: MetricWindow, limits: Limits = GET_METRIC_DATA_LIMITS): PlannedCall[] {
  const points = pointsPerQuery(window);
  if (queries.length === 0 || points === 0) return [];
  const perCall = Math.min(limits.queries, Math.floor(limits.datapoints / points));
  if (perCall >= 1) return chunks(queries, perCall).map((batch) => ({ queries: batch, window }));
  const spanMs = limits.datapoints * window.periodSeconds * 1000;
  return queries.flatMap((q) => {
    const calls: PlannedCall[] = [];
    for (let start = window.startMs; start < window.endMs; start += spanMs) calls.push({ queries: [q], window: { ...window, startMs: start, endMs: Math.min(window.endMs, start + spanMs) } });
    return calls;
  });
}

/** Metric requests CloudWatch bills for a plan: every query of every call. */
export function billedMetrics(plan: readonly PlannedCall[]): number {
  return plan.reduce((sum, c) => sum + c.queries.length, 0);
}

interface Retention {
  /** Periods below this many seconds are kept `days` days. */
  readonly belowPeriod: number;
  readonly days: number;
  readonly label: string;
}

// CloudWatch's retention by period (CloudWatch User Guide, "Metrics retention"): sub-minute data
// 3 hours, 1-minute data 15 days, 5-minute data 63 days, 1-hour data 455 days.
const RETENTION: readonly Retention[] = [
  { belowPeriod: 60, days: 0.125, label: 'sub-minute' },
  { belowPeriod: 300, days: 15, label: '1-minute' },
  { belowPeriod: 3600, days: 63, label: '5-minute' },
  { belowPeriod: Infinity, days: 455, label: '1-hour' },
];

const RESOLUTION_FLAG: Readonly<Record<string, string>> = { '1-minute': '1m', '5-minute': '5m', '1-hour': '1h' };

/** Why CloudWatch cannot serve this window at this period any more, or undefined when it can. */
export function retentionProblem(window: MetricWindow, nowMs: number): string | undefined {
  const i = RETENTION.findIndex((r) => window.periodSeconds < r.belowPeriod);
  const kept = RETENTION[i]!;
  const ageDays = (nowMs - window.startMs) / 86_400_000;
  if (ageDays <= kept.days) return undefined;
  const coarser = RETENTION.slice(i + 1).find((r) => r.days >= ageDays);
  const fix = coarser ? `use --resolution=${RESOLUTION_FLAG[coarser.label]} (kept ${coarser.days} days) or ` : '';
  return `the period starts ${fmtDays(ageDays)} days ago, but CloudWatch keeps ${kept.label} data for ${kept.days} days: ${fix}start within the last ${kept.days} days`;
}

const fmtDays = (d: number): string => {
  const tenths = Math.round(d * 10) / 10;
  return Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
};
