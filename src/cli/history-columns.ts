// Which trace column a series of someone else's history is. CloudWatch labels a GetMetricData
// result with the metric name unless the query sets a Label, so `GroupDesiredCapacity` and
// `NumberOfMessagesDeleted` are recognised as they come; a label or id that is already a
// trace column name (`desired`, `sqs_deleted`) is taken as it is. One rule for the JSON reader,
// the timestamped CSV reader and the header hint of every error.
import { SIGNAL_COLUMNS, type SignalColumn } from '../signals/sample.ts';

/**
 * A column of history before it becomes a trace column. `dlq_depth` is the dead-letter queue's
 * visible messages: SQS does not count redriven messages in the DLQ's NumberOfMessagesSent, so
 * the trace's `dlq_in` (messages that reached the DLQ in an interval) is derived from the depth.
 */
export type HistoryColumn = SignalColumn | 'dlq_depth';

/** CloudWatch and Prometheus metric names → the column they fill. */
export const METRIC_COLUMNS: Readonly<Record<string, HistoryColumn>> = {
  GroupDesiredCapacity: 'desired',
  GroupInServiceInstances: 'in_service',
  NumberOfMessagesSent: 'sqs_sent',
  NumberOfMessagesReceived: 'sqs_received',
  NumberOfMessagesDeleted: 'sqs_deleted',
  ApproximateNumberOfMessagesVisible: 'sqs_visible',
  ApproximateNumberOfMessagesNotVisible: 'sqs_not_visible',
  costguard_worker_attempts_total: 'worker_attempts',
  costguard_worker_retries_total: 'worker_retries',
  costguard_worker_successes_total: 'worker_successes',
  costguard_worker_failures_total: 'worker_failures',
};

// A label or id that mentions the dead-letter queue turns the queue's visible depth into the DLQ's.
const DLQ_HINT = /dlq|dead[-_ ]?letter/i;

// Spreadsheets and hand-written labels capitalise freely: names are matched without case.
const COLUMNS_BY_NAME = new Map<string, HistoryColumn>([...SIGNAL_COLUMNS, 'dlq_depth' as const].map((c) => [c, c]));
const METRICS_BY_NAME = new Map(Object.entries(METRIC_COLUMNS).map(([metric, column]) => [metric.toLowerCase(), column]));

/** The metric name found in a label as a whole word ("orders-asg GroupDesiredCapacity" too). */
function metricIn(text: string): HistoryColumn | undefined {
  const words = text.toLowerCase().split(/[^a-z0-9_]+/);
  const found = words.find((w) => METRICS_BY_NAME.has(w));
  return found === undefined ? undefined : METRICS_BY_NAME.get(found);
}

/**
 * The column a series labelled `label` (and queried as `id`) fills, or undefined when it is
 * none of them. An exact column name wins over a metric name; a DLQ hint in either turns
 * `sqs_visible` into `dlq_depth`.
 */
export function columnOf(label: string, id = ''): HistoryColumn | undefined {
  for (const name of [label, id]) {
    const exact = COLUMNS_BY_NAME.get(name.trim().toLowerCase());
    if (exact) return exact;
  }
  const column = metricIn(label) ?? metricIn(id);
  if (column === 'sqs_visible' && (DLQ_HINT.test(label) || DLQ_HINT.test(id))) return 'dlq_depth';
  return column;
}

/** The line every "cannot read this history" error carries: what is accepted, and what t means. */
export const ACCEPTED_HISTORY =
  'expected a trace CSV (t = seconds from the first sample, or a timestamp column of ISO 8601 times; ' +
  `columns ${SIGNAL_COLUMNS.join(', ')}) or the JSON of aws cloudwatch get-metric-data or get-metric-statistics ` +
  `(series labelled ${Object.keys(METRIC_COLUMNS).filter((m) => !m.startsWith('costguard_')).join(', ')}, ` +
  'a label with "dlq" for the dead-letter queue\'s depth, or a column name)';
