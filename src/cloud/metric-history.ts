// The port for metric history: many metrics over a past window, as the metrics service stores
// them. `costguard export` uses it to pull a trace; the AWS adapter is GetMetricData
// (cloud/aws/metric-history.ts). Rejects only with CloudError.

/** One metric to read: CloudWatch's namespace, name, dimensions and statistic. */
export interface MetricQuery {
  /** Unique within one call; letters, digits and _ starting with a lower-case letter (AWS's rule). */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: 'Sum' | 'Average' | 'Maximum' | 'Minimum';
}

export interface MetricWindow {
  /** Epoch ms, inclusive. */
  readonly startMs: number;
  /** Epoch ms, exclusive. */
  readonly endMs: number;
  readonly periodSeconds: number;
}

export interface MetricPoint {
  /** Epoch ms: the start of the period. */
  readonly at: number;
  readonly value: number;
}

export interface MetricHistory {
  /**
   * The datapoints of each query in the window, keyed by query id; a query without datapoints
   * maps to an empty list (CloudWatch cannot tell "never published" from "quiet"). One logical
   * request: the adapter follows the provider's pages to the end (AWS: NextToken) and calls
   * `onCall` once per provider call made, so callers can count and report them. The caller
   * keeps each request within the provider's limits (AWS: 500 queries, 100,800 datapoints).
   */
  fetch(queries: readonly MetricQuery[], window: MetricWindow, onCall?: () => void): Promise<Map<string, MetricPoint[]>>;
}
