// How `costguard export` splits a pull into GetMetricData calls, and whether CloudWatch still
// has the data at all. Pure, so the call count the command announces before it starts (they
// are billed per metric requested) is the count it makes.
//
// AWS's limits per GetMetricData call: 500 queries, and 100,800 datapoints in one response
// (more comes back in NextToken pages, each billed again). The plan keeps every call under
// both, so a pull pages only when CloudWatch returns more than it was asked for: queries are
// batched (at most 500, the size with the fewest calls), and each batch's window is cut so that
// queries × points ≤ 100,800.
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

/** Calls for `n` queries over `points` periods in batches of `size`: batches × windows per batch. */
function callsWithBatch(n: number, points: number, size: number, limits: Limits): number {
  return Math.ceil(n / size) * Math.ceil(points / Math.max(1, Math.floor(limits.datapoints / size)));
}

/**
 * The batch size with the fewest calls. The largest batch is not always best: 1,000 queries
 * over 21,600 periods take 216 calls in batches of 500 but 215 (the floor) in batches of 200;
 * rounding decides where the minimum lies, so every size up to the limit is tried.
 */
export function bestBatchSize(n: number, points: number, limits: Limits = GET_METRIC_DATA_LIMITS): number {
  let best = Math.min(n, limits.queries);
  for (let size = best; size >= 1; size--) if (callsWithBatch(n, points, size, limits) < callsWithBatch(n, points, best, limits)) best = size;
  return best;
}

/** The calls of a pull, oldest window first within each batch of queries. */
export function planCalls(queries: readonly MetricQuery[], window: MetricWindow, limits: Limits = GET_METRIC_DATA_LIMITS): PlannedCall[] {
  const points = pointsPerQuery(window);
  if (queries.length === 0 || points === 0) return [];
  const size = bestBatchSize(queries.length, points, limits);
  const calls: PlannedCall[] = [];
  for (let i = 0; i < queries.length; i += size) {
    const batch = queries.slice(i, i + size);
    const spanMs = Math.max(1, Math.floor(limits.datapoints / batch.length)) * window.periodSeconds * 1000;
    for (let start = window.startMs; start < window.endMs; start += spanMs) {
      calls.push({ queries: batch, window: { ...window, startMs: start, endMs: Math.min(window.endMs, start + spanMs) } });
    }
  }
  return calls;
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
