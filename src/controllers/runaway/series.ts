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

/**
 * The retry share of the interval, 0..1: the highest of the sources present, because each one
 * sees a different part of the waste. SQS: receives beyond deletes over receives (a message
 * received twice was retried once). Workers: retries over attempts. DLQ: messages that gave up
 * over messages received.
 */
export function retryShareOf(s: Sample): number | undefined {
  const shares: number[] = [];
  if (s.sqs_received !== undefined && s.sqs_deleted !== undefined && s.sqs_received > 0) {
    shares.push(Math.max(0, s.sqs_received - s.sqs_deleted) / s.sqs_received);
  }
  if (s.worker_attempts !== undefined && s.worker_retries !== undefined && s.worker_attempts > 0) {
    shares.push(Math.min(1, s.worker_retries / s.worker_attempts));
  }
  if (s.dlq_in !== undefined && s.sqs_received !== undefined && s.sqs_received > 0) shares.push(Math.min(1, s.dlq_in / s.sqs_received));
  return shares.length ? Math.max(...shares) : undefined;
}

/**
 * The retry share over several samples, from their summed counters: a short interval that
 * happens to hold more receives than deletes weighs no more than its share of the traffic.
 */
export function retryShareOver(samples: readonly Sample[]): number | undefined {
  const total: Sample = { t: samples.at(-1)?.t ?? 0 };
  for (const k of ['sqs_received', 'sqs_deleted', 'worker_attempts', 'worker_retries', 'dlq_in'] as const) {
    const vs = samples.map((s) => s[k]).filter((v): v is number => v !== undefined);
    if (vs.length) total[k] = vs.reduce((a, b) => a + b, 0);
  }
  return retryShareOf(total);
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

/** Throughput per unit of capacity for one sample. */
export function perCapacity(s: Sample): number | undefined {
  const cap = capacityOf(s);
  const tp = throughputOf(s);
  return cap !== undefined && cap > 0 && tp !== undefined ? tp / cap : undefined;
}
