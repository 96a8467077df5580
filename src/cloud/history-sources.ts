// What `costguard export` checks before it spends money on GetMetricData: that the group and
// queues exist (a typo would otherwise export an empty trace and bill for it), whether the
// group publishes its metrics at all, and what it launches (to price the worst case later).
// Rejects only with CloudError.

export interface GroupFacts {
  readonly name: string;
  /** Group metrics being collected now (EnableMetricsCollection), e.g. GroupDesiredCapacity. */
  readonly enabledMetrics: readonly string[];
  /** Instance types it runs or may launch (instances, overrides, launch template); may be empty. */
  readonly instanceTypes: readonly string[];
}

export interface HistorySources {
  /** The group, or undefined when no group of that name exists in the target's region. */
  group(name: string): Promise<GroupFacts | undefined>;
  /**
   * The queue's name when it exists (given a name or a URL). Rejects with CloudError
   * `NotFound` when it does not.
   */
  queue(nameOrUrl: string): Promise<string>;
}
