// The port for AWS Budgets as the cost controller uses it: one cost budget per guard, its
// notifications, and the spend AWS has calculated. Every method rejects only with CloudError
// (cloud/errors.ts) for provider failures. Budgets live in an account, not a region; the
// adapter resolves the account id of the guard's identity once.

export type ThresholdType = 'ACTUAL' | 'FORECASTED';

/** A notification as CostGuard sets them: a percentage of the limit, compared GREATER_THAN. */
export interface BudgetThreshold {
  readonly type: ThresholdType;
  readonly percent: number;
}

export interface BudgetSubscriber {
  readonly type: 'EMAIL' | 'SNS';
  readonly address: string;
}

/** A monthly cost budget. Amounts are decimal strings in USD, as AWS returns them. */
export interface CostBudget {
  readonly name: string;
  readonly limit: string;
  readonly timeUnit: string;
  /** AWS cost filters, e.g. { TagKeyValue: ['user:app$orders'] }; empty for the whole account. */
  readonly costFilters: Readonly<Record<string, readonly string[]>>;
}

export interface BudgetReading extends CostBudget {
  /** Spend so far in the current period, when AWS has calculated it. */
  readonly actual?: string;
  readonly forecast?: string;
}

export interface Budgets {
  /** The account these budgets live in (Budgets addresses every call by account). */
  account(): Promise<string>;

  /** The budget, or undefined when no budget has this name. */
  get(name: string): Promise<BudgetReading | undefined>;

  /** Creates the budget with its notifications; rejects with `Invalid` (DuplicateRecord) when the name is taken. */
  create(budget: CostBudget, thresholds: readonly BudgetThreshold[], subscribers: readonly BudgetSubscriber[]): Promise<void>;

  /** Deletes the budget; resolves when it is already gone. */
  delete(name: string): Promise<void>;

  /** The budget's notifications. */
  thresholds(name: string): Promise<BudgetThreshold[]>;

  addThreshold(name: string, threshold: BudgetThreshold, subscribers: readonly BudgetSubscriber[]): Promise<void>;

  removeThreshold(name: string, threshold: BudgetThreshold): Promise<void>;
}
