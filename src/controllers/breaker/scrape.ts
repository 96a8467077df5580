// Reading the workers' breaker state: list the workload's running pods, GET each pod's metrics
// endpoint with a timeout, a bounded number at once, and read costguard_worker_breaker_state.
// A pod that cannot be read is "unknown" with the reason; it is never taken for closed.
import type { LimitFunction } from 'p-limit';
import { errorMessage } from '../../runtime/errors.ts';
import { collectionPath, type ResourceType } from '../../runtime/kube/resource.ts';
import type { KubeList, RestClient } from '../../runtime/kube/rest.ts';
import type { KubeObject } from '../../runtime/keys.ts';
import { samplesOf } from './prom-text.ts';

export const BREAKER_STATE_METRIC = 'costguard_worker_breaker_state';
/** The gauge's values (shared contract with the worker library). */
export const BreakerGauge = { closed: 0, halfOpen: 1, open: 2 } as const;

const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

export interface Pod extends KubeObject {
  status?: { phase?: string; podIP?: string };
}

/** One pod's reading: the worst breaker state it reports (0 closed, 1 half-open, 2 open), or why it has none. */
export type PodReading = { pod: string; state: number; breakers: number } | { pod: string; error: string };

export interface ScrapeOptions {
  port: number;
  path: string;
  timeoutMs: number;
  /** Shared by every guard, so the operator never has more than its limit of scrapes open. */
  limit: LimitFunction;
  signal?: AbortSignal;
  /** Largest body read; a bigger answer is not a worker library's. */
  maxBytes?: number;
}

/** Running pods matching the selector (not Pending, not finished, not being deleted). */
export async function listWorkerPods(rest: RestClient, namespace: string, labelSelector: string): Promise<Pod[]> {
  const list = await rest.get<KubeList<Pod>>(collectionPath(PODS, namespace), { query: { labelSelector } });
  return list.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
}

export function scrapePods(pods: readonly Pod[], opts: ScrapeOptions): Promise<PodReading[]> {
  return Promise.all(pods.map((pod) => opts.limit(() => scrapePod(pod, opts))));
}

async function scrapePod(pod: Pod, opts: ScrapeOptions): Promise<PodReading> {
  const name = pod.metadata?.name ?? '';
  const ip = pod.status?.podIP;
  if (!ip) return { pod: name, error: 'no pod IP yet' };
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(`http://${host}:${opts.port}${opts.path}`, { signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { pod: name, error: `HTTP ${res.status}` };
    }
    const text = await readLimited(res, opts.maxBytes ?? 4 * 1024 * 1024);
    const values = samplesOf(text, BREAKER_STATE_METRIC).map((s) => s.value).filter((v) => Number.isFinite(v));
    return { pod: name, state: Math.max(BreakerGauge.closed, ...values), breakers: values.length };
  } catch (err) {
    return { pod: name, error: timeout.aborted ? `no answer within ${opts.timeoutMs} ms` : errorMessage(err) };
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`metrics larger than ${maxBytes} bytes`);
  }
  const text = await res.text();
  if (text.length > maxBytes) throw new Error(`metrics larger than ${maxBytes} bytes`);
  return text;
}
