// Which signals a window carries, and how much the detector trusts a verdict made without the
// others. Capacity and throughput are each one leg of the signature; the retry share can come
// from three sources, and two agreeing sources are worth more than one.

export interface Coverage {
  capacity: boolean;
  sqsRetries: boolean;
  workerRetries: boolean;
  dlq: boolean;
  throughput: boolean;
  breaker: boolean;
}

/** 0-1: capacity 0.4, throughput 0.25, retries 0.35 (full with two of SQS, workers, DLQ). */
export function confidenceOf(c: Coverage): number {
  const retrySources = [c.sqsRetries, c.workerRetries, c.dlq].filter(Boolean).length;
  const value = (c.capacity ? 0.4 : 0) + (c.throughput ? 0.25 : 0) + 0.35 * Math.min(1, retrySources / 2);
  return Math.round(value * 100) / 100;
}

/** The signals missing from a window, named as a user would look for them. */
export function missingSignals(c: Coverage): string[] {
  const missing: string[] = [];
  if (!c.capacity) missing.push('capacity (desired/in_service)');
  if (!c.throughput) missing.push('throughput (sqs_deleted/worker_successes)');
  if (!c.sqsRetries) missing.push('SQS receives/deletes');
  if (!c.workerRetries) missing.push('worker retries/attempts');
  if (!c.dlq) missing.push('DLQ inflow');
  return missing;
}
