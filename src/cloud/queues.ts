// Ports for queue signals: the depth of an SQS queue right now, and the queue's per-minute
// counters from the metrics service. Both reject only with CloudError for provider failures.

export interface QueueDepth {
  /** Messages available to receive (ApproximateNumberOfMessages). */
  readonly visible: number;
  /** Messages received and not yet deleted or timed out (ApproximateNumberOfMessagesNotVisible). */
  readonly notVisible: number;
}

export interface Queues {
  /** The queue's depth now. Rejects with CloudError `NotFound` when the queue does not exist. */
  depth(queueUrl: string): Promise<QueueDepth>;
}

/** One queue's counters for one metrics period (AWS/SQS, Sum over the period). */
export interface QueueCounters {
  readonly sent?: number;
  readonly received?: number;
  readonly deleted?: number;
  /** Seconds the counters cover (the metric period). */
  readonly periodSeconds: number;
  /** End of the period, epoch ms. */
  readonly at: number;
}

export interface QueueMetrics {
  /**
   * The latest complete period's counters for each named queue, in as few calls as the
   * provider allows (AWS: one GetMetricData per 500 queries). A queue without datapoints is
   * absent from the result, not an error: a quiet queue and an unknown one look alike here.
   */
  latest(queueNames: readonly string[], nowMs: number): Promise<ReadonlyMap<string, QueueCounters>>;
}

/** "orders" from https://sqs.us-east-1.amazonaws.com/123456789012/orders. */
export function queueNameOf(queueUrl: string): string {
  return new URL(queueUrl).pathname.split('/').filter(Boolean).at(-1) ?? '';
}
