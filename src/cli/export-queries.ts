// The CloudWatch metrics a trace is made of, and the statistic each is read with. Counters
// (messages sent, received, deleted) are Sums over the period, as the trace wants counts per
// interval; capacity is the period's Maximum, because a ceiling is about peaks; depths are
// Averages, except the DLQ's Maximum, whose rises become `dlq_in`.
import type { MetricQuery } from '../cloud/metric-history.ts';
import type { HistoryColumn } from './history-columns.ts';

export interface ExportTargets {
  readonly group: string;
  readonly queue?: string;
  readonly dlq?: string;
}

export interface ColumnQuery {
  readonly column: HistoryColumn;
  readonly query: MetricQuery;
}

type Spec = readonly [HistoryColumn, string, MetricQuery['stat']];

const GROUP: readonly Spec[] = [
  ['desired', 'GroupDesiredCapacity', 'Maximum'],
  ['in_service', 'GroupInServiceInstances', 'Average'],
];

const QUEUE: readonly Spec[] = [
  ['sqs_sent', 'NumberOfMessagesSent', 'Sum'],
  ['sqs_received', 'NumberOfMessagesReceived', 'Sum'],
  ['sqs_deleted', 'NumberOfMessagesDeleted', 'Sum'],
  ['sqs_visible', 'ApproximateNumberOfMessagesVisible', 'Average'],
  ['sqs_not_visible', 'ApproximateNumberOfMessagesNotVisible', 'Average'],
];

const DLQ: readonly Spec[] = [['dlq_depth', 'ApproximateNumberOfMessagesVisible', 'Maximum']];

/** The group metrics whose absence means group metrics collection is off. */
export const GROUP_METRICS = GROUP.map(([, metric]) => metric);

function queries(specs: readonly Spec[], namespace: string, o: { dimension: Record<string, string>; prefix: string }): ColumnQuery[] {
  return specs.map(([column, metricName, stat]) => ({ column, query: { id: `${o.prefix}${column}`, namespace, metricName, dimensions: o.dimension, stat } }));
}

/**
 * Every query of one group's export. Ids are the column names after `prefix` ("g3_desired"),
 * so the queries of many groups can share a call: GetMetricData ids are unique per call and
 * must start with a lower-case letter.
 */
export function exportQueries(t: ExportTargets, prefix = ''): ColumnQuery[] {
  return [
    ...queries(GROUP, 'AWS/AutoScaling', { dimension: { AutoScalingGroupName: t.group }, prefix }),
    ...(t.queue ? queries(QUEUE, 'AWS/SQS', { dimension: { QueueName: t.queue }, prefix }) : []),
    ...(t.dlq ? queries(DLQ, 'AWS/SQS', { dimension: { QueueName: t.dlq }, prefix }) : []),
  ];
}
