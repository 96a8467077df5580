// Retry and throughput signals from a Prometheus-compatible HTTP API (instant queries). Each
// query gives a per-second rate; the sample carries it per sampling interval. Without an
// attempts query, attempts are retries plus useful completions when both are known.
import { messageOf, type SampleContext, type SignalSource, type SignalValues } from './source.ts';

export interface PrometheusQueries {
  url: string;
  retries: string;
  attempts?: string;
  throughput?: string;
  /** Sent as a bearer token when set; never logged or reported. */
  bearerToken?: () => Promise<string | undefined>;
}

export function prometheusSource(q: PrometheusQueries, fetchFn: typeof fetch = fetch): SignalSource {
  return {
    name: 'prometheus',
    read: async (ctx: SampleContext) => {
      const token = await q.bearerToken?.();
      const query = (expr: string | undefined) => (expr ? instantQuery(fetchFn, q.url, expr, { token, ctx }) : Promise.resolve(undefined));
      const [retries, attempts, throughput] = await Promise.all([query(q.retries), query(q.attempts), query(q.throughput)]);
      const per = (rate: number | undefined) => (rate === undefined ? undefined : Math.round(rate * ctx.intervalSeconds));
      const out: SignalValues = {};
      const r = per(retries);
      const s = per(throughput);
      const a = per(attempts) ?? (r !== undefined && s !== undefined ? r + s : undefined);
      if (r !== undefined) out.worker_retries = r;
      if (s !== undefined) out.worker_successes = s;
      if (a !== undefined) out.worker_attempts = a;
      return out;
    },
  };
}

interface QueryResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { value?: [number, string] }[] | [number, string] };
}

/** One instant query's scalar: the sum over the vector's series; undefined for an empty vector. */
async function instantQuery(fetchFn: typeof fetch, base: string, expr: string, o: { token: string | undefined; ctx: SampleContext }): Promise<number | undefined> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', expr);
  url.searchParams.set('time', String(o.ctx.nowMs / 1000));
  // Named by origin and path: never the query string or credentials in the URL.
  const where = `${url.origin}${url.pathname}`;
  const res = await fetchFn(url, {
    headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
    signal: AbortSignal.any([AbortSignal.timeout(5000), ...(o.ctx.signal ? [o.ctx.signal] : [])]),
  }).catch((err: unknown) => {
    throw new Error(`prometheus query to ${where} failed: ${messageOf(err)}`);
  });
  const body = (await res.json().catch(() => ({}))) as QueryResponse;
  if (!res.ok || body.status !== 'success') throw new Error(`prometheus query to ${where} failed: HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`);
  const result = body.data?.result;
  if (body.data?.resultType === 'scalar') return Number((result as [number, string])[1]);
  const series = (result ?? []) as { value?: [number, string] }[];
  if (!series.length) return undefined;
  return series.reduce((sum, s) => sum + Number(s.value?.[1] ?? 0), 0);
}
