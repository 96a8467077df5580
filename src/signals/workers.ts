// The worker library's metrics (costguard_worker_*), scraped from every ready pod of the
// guard's worker workload and summed: attempts, retries, successes and failures as increases
// since the previous scrape, and the share of pods with an open breaker. A pod that does not
// answer is left out of this sample (and named in the failure if none answers).
import type { SampleContext, SignalSource, SignalValues } from './source.ts';
import { counterDelta, messageOf } from './source.ts';

const COUNTERS = {
  worker_attempts: 'costguard_worker_attempts_total',
  worker_retries: 'costguard_worker_retries_total',
  worker_successes: 'costguard_worker_successes_total',
  worker_failures: 'costguard_worker_failures_total',
} as const;

export interface WorkerMetrics {
  counters: Partial<Record<keyof typeof COUNTERS, number>>;
  /** True when any of the pod's breakers is open (breaker_state 2). */
  breakerOpen: boolean;
}

/** Parses the Prometheus text format for the worker library's series (labels summed). */
export function parseWorkerMetrics(text: string): WorkerMetrics {
  const counters: WorkerMetrics['counters'] = {};
  let breakerOpen = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === 'costguard_worker_breaker_state' && value >= 2) breakerOpen = true;
    for (const [column, metric] of Object.entries(COUNTERS) as [keyof typeof COUNTERS, string][]) {
      if (m[1] === metric) counters[column] = (counters[column] ?? 0) + value;
    }
  }
  return { counters, breakerOpen };
}

export interface WorkerTargets {
  /** The metrics URLs of the worker pods now (pod IP, port, path). */
  endpoints(): Promise<{ pod: string; url: string }[]>;
}

export function workersSource(targets: WorkerTargets, fetchFn: typeof fetch = fetch): SignalSource {
  const previous = new Map<string, WorkerMetrics['counters']>();
  return {
    name: 'workers',
    read: async (ctx: SampleContext) => {
      const endpoints = await targets.endpoints();
      const scraped = await Promise.allSettled(endpoints.map((e) => scrape(fetchFn, e.url, ctx)));
      const ok = scraped.flatMap((r, i) => (r.status === 'fulfilled' ? [{ pod: endpoints[i]!.pod, m: r.value }] : []));
      if (endpoints.length && !ok.length) throw new Error(`no worker pod answered on its metrics port (${endpoints.length} tried; ${firstFailure(scraped, endpoints)})`);
      const out: SignalValues = {};
      for (const { pod, m } of ok) {
        const before = previous.get(pod);
        previous.set(pod, m.counters);
        for (const column of Object.keys(COUNTERS) as (keyof typeof COUNTERS)[]) {
          const now = m.counters[column];
          const d = now === undefined ? undefined : counterDelta(before?.[column], now);
          if (d !== undefined) out[column] = (out[column] ?? 0) + d;
        }
      }
      for (const pod of previous.keys()) if (!endpoints.some((e) => e.pod === pod)) previous.delete(pod);
      if (ok.length) out.breaker_open_fraction = Math.round((ok.filter((o) => o.m.breakerOpen).length / ok.length) * 100) / 100;
      return out;
    },
  };
}

/** "pod orders-1 at http://10.0.0.7:9464/metrics: fetch failed: connect ECONNREFUSED …": the first failure, with where and why. */
function firstFailure(scraped: readonly PromiseSettledResult<unknown>[], endpoints: readonly { pod: string; url: string }[]): string {
  const i = scraped.findIndex((r) => r.status === 'rejected');
  const r = scraped[i] as PromiseRejectedResult;
  return `pod ${endpoints[i]!.pod} at ${endpoints[i]!.url}: ${messageOf(r.reason)}`;
}

async function scrape(fetchFn: typeof fetch, url: string, ctx: SampleContext): Promise<WorkerMetrics> {
  const res = await fetchFn(url, { signal: AbortSignal.any([AbortSignal.timeout(3000), ...(ctx.signal ? [ctx.signal] : [])]) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return parseWorkerMetrics(await res.text());
}
