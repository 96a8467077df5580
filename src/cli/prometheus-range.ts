// The worker library's counters from a Prometheus range query (/api/v1/query_range), as counts
// per export period: `sum(increase(costguard_worker_<name>_total{selector}[<period>]))` at
// each step. Prometheus answers at most 11,000 points per series, so long pulls are cut into
// windows of 10,000 steps. A failed query is an error naming the query, never the token.
import type { Point, Series } from './history-series.ts';
import type { HistoryColumn } from './history-columns.ts';

export interface PrometheusRange {
  readonly url: string;
  /** A label selector without braces, e.g. `job="orders-worker"`; empty for every worker. */
  readonly selector: string;
  /** Sent as a bearer token when set; never printed. */
  readonly token?: string;
}

export interface RangeWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly periodSeconds: number;
}

const COUNTERS: readonly [HistoryColumn, string][] = [
  ['worker_attempts', 'attempts'],
  ['worker_retries', 'retries'],
  ['worker_successes', 'successes'],
  ['worker_failures', 'failures'],
];

export const MAX_STEPS_PER_QUERY = 10_000;

export class PrometheusError extends Error {}

/** The PromQL of one counter: its increase per period, summed over the fleet. */
export function counterQuery(name: string, selector: string, periodSeconds: number): string {
  return `sum(increase(costguard_worker_${name}_total{${selector}}[${periodSeconds}s]))`;
}

/** The windows a range is cut into, each at most MAX_STEPS_PER_QUERY steps. */
export function rangeWindows(w: RangeWindow): RangeWindow[] {
  const span = MAX_STEPS_PER_QUERY * w.periodSeconds * 1000;
  const out: RangeWindow[] = [];
  for (let start = w.startMs; start < w.endMs; start += span) out.push({ ...w, startMs: start, endMs: Math.min(w.endMs, start + span) });
  return out;
}

interface RangeResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { values?: [number, string][] }[] };
}

async function rangeQuery(p: PrometheusRange, query: string, w: RangeWindow, fetchFn: typeof fetch): Promise<Point[]> {
  const url = new URL('api/v1/query_range', p.url.endsWith('/') ? p.url : `${p.url}/`);
  url.searchParams.set('query', query);
  // increase(...[period]) at T counts (T − period, T]; CloudWatch stamps a period by its start.
  // Asking for period ends and stamping each point one period earlier lines the two up.
  const periodMs = w.periodSeconds * 1000;
  url.searchParams.set('start', String((w.startMs + periodMs) / 1000));
  url.searchParams.set('end', String(w.endMs / 1000));
  url.searchParams.set('step', `${w.periodSeconds}s`);
  let res: Response;
  try {
    res = await fetchFn(url, { headers: p.token ? { authorization: `Bearer ${p.token}` } : {}, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new PrometheusError(`prometheus at ${url.origin} did not answer: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as RangeResponse;
  if (!res.ok || body.status !== 'success') throw new PrometheusError(`prometheus query ${query} failed: HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`);
  // `sum(...)` yields one series; an empty matrix means no worker reported in this window.
  const values = body.data?.result?.[0]?.values ?? [];
  return values.flatMap(([ts, v]) => (Number.isFinite(Number(v)) ? [{ at: Math.round(ts * 1000) - periodMs, value: Math.round(Number(v)) }] : []));
}

/** The worker counters over the window; a counter no worker exported is left out (missing, not zero). */
export async function workerSeries(p: PrometheusRange, w: RangeWindow, fetchFn: typeof fetch = fetch): Promise<Series[]> {
  const out: Series[] = [];
  for (const [column, name] of COUNTERS) {
    const query = counterQuery(name, p.selector, w.periodSeconds);
    const points: Point[] = [];
    for (const window of rangeWindows(w)) points.push(...(await rangeQuery(p, query, window, fetchFn)));
    if (points.length) out.push({ column, points });
  }
  return out;
}
