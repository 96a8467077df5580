// The port for Cost Explorer: daily unblended cost over a few days, optionally restricted to
// cost-allocation tags. Each call costs money (USD 0.01), so callers cache and call at most
// about once a day per filter. Rejects only with CloudError.

export interface DailyAmount {
  /** YYYY-MM-DD, the UTC day's start. */
  readonly day: string;
  /** USD as a decimal string. */
  readonly amount: string;
}

export interface CostQuery {
  /** First day, inclusive (YYYY-MM-DD). */
  readonly start: string;
  /** Last day, exclusive. */
  readonly end: string;
  /** Tag key → accepted values; spend must match every key. Empty: the whole account. */
  readonly tags: Readonly<Record<string, readonly string[]>>;
}

export interface CostExplorer {
  dailyCost(query: CostQuery): Promise<DailyAmount[]>;
}
