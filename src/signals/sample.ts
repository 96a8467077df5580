// One observation of a guard's signals: the row of a signal trace (see docs/runaway.md) and
// what the live signal sources produce every sampling interval. Counters are counts over the
// interval that ends at `t`, not cumulative; an absent field means "not observed".

/** The columns a sample may carry beyond `t`, in trace order. */
export const SIGNAL_COLUMNS = [
  'desired',
  'in_service',
  'sqs_sent',
  'sqs_received',
  'sqs_deleted',
  'sqs_visible',
  'sqs_not_visible',
  'dlq_in',
  'worker_attempts',
  'worker_retries',
  'worker_successes',
  'worker_failures',
  'breaker_open_fraction',
  'price_per_hour',
] as const;

export type SignalColumn = (typeof SIGNAL_COLUMNS)[number];

export type Sample = { t: number } & Partial<Record<SignalColumn, number>>;

/** True when `name` is one of the signal columns. */
export function isSignalColumn(name: string): name is SignalColumn {
  return (SIGNAL_COLUMNS as readonly string[]).includes(name);
}
