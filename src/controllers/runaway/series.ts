// Derived series the detector reads from raw samples. Pure helpers; a value that cannot be
// derived from the columns present is undefined, never zero.
import type { Sample } from '../../signals/sample.ts';

/** Capacity: the desired instance count when known (what the autoscaler asked for), else in service. */
export function capacityOf(s: Sample): number | undefined {
  return s.desired ?? s.in_service;
}

/** Useful throughput in the interval: SQS deletes (work finished and acknowledged), else worker successes. */
export function throughputOf(s: Sample): number | undefined {
  return s.sqs_deleted ?? s.worker_successes;
}

/** The two independent views of the retry share, each a ratio of two counters of one source. */
export type RetrySource = 'sqs' | 'workers';

/**
 * Numerator and denominator of each source. SQS: receives beyond deletes over receives.
 * Workers: over attempts, the attempts that were repeats (retries) or that failed and will come
 * back (failures), whichever the interval counts more of — the same waste counted at either
 * end: failures lead when a loop starts, retries lag by the visibility timeout and are diluted
 * by a backlog of first deliveries.
 */
export const RETRY_SOURCES: Record<RetrySource, { wasted: (s: Sample) => number | undefined; total: keyof Sample }> = {
  sqs: { wasted: (s) => (s.sqs_received !== undefined && s.sqs_deleted !== undefined ? Math.max(0, s.sqs_received - s.sqs_deleted) : undefined), total: 'sqs_received' },
  workers: { wasted: (s) => (s.worker_retries === undefined ? undefined : Math.max(s.worker_retries, s.worker_failures ?? 0)), total: 'worker_attempts' },
};

/**
 * One source's retry share over several samples, from its summed counters — counting only
 * the samples where both of its counters were observed. A sample missing one of them says
 * nothing about retries: summing receives over every sample and deletes over fewer would turn
 * a gap into retries.
 */
export function sourceShare(samples: readonly Sample[], source: RetrySource): { wasted: number; total: number; samples: number } | undefined {
  const src = RETRY_SOURCES[source];
  let [wasted, total, n] = [0, 0, 0];
  for (const s of samples) {
    const w = src.wasted(s);
    const t = s[src.total];
    if (w === undefined || t === undefined) continue;
    wasted += Math.min(w, t);
    total += t;
    n++;
  }
  return n && total > 0 ? { wasted, total, samples: n } : undefined;
}

/** Per-sample shares of one source (for the noise of the window); samples without both counters are skipped. */
export function sampleShares(samples: readonly Sample[], source: RetrySource): number[] {
  return samples.flatMap((s) => {
    const one = sourceShare([s], source);
    return one ? [one.wasted / one.total] : [];
  });
}

/**
 * The retry share over several samples, pooled over the sources that observed it (their
 * counts added): a summary for evidence and for the brake's "within budget". The detector's
 * decision weighs each source separately (shares.ts).
 */
export function retryShareOver(samples: readonly Sample[]): number | undefined {
  const parts = (['sqs', 'workers'] as const).map((k) => sourceShare(samples, k)).filter((x) => x !== undefined);
  if (!parts.length) return undefined;
  return parts.reduce((a, p) => a + p.wasted, 0) / parts.reduce((a, p) => a + p.total, 0);
}

/** The retry share of one sample (see retryShareOver). */
export function retryShareOf(s: Sample): number | undefined {
  return retryShareOver([s]);
}

/** The mean of the defined values, or undefined when there are none. */
export function mean(values: readonly (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** The median of the defined values, or undefined when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : ((xs[mid - 1] ?? 0) + (xs[mid] ?? 0)) / 2;
}

/** The sample standard deviation of the defined values; undefined with fewer than two. */
export function stdev(values: readonly (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (xs.length < 2) return undefined;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Throughput per unit of capacity for one sample. */
export function perCapacity(s: Sample): number | undefined {
  const cap = capacityOf(s);
  const tp = throughputOf(s);
  return cap !== undefined && cap > 0 && tp !== undefined ? tp / cap : undefined;
}
