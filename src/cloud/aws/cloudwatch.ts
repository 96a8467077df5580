// The QueueMetrics port on CloudWatch: the AWS/SQS counters of many queues in one
// GetMetricData call (up to 500 queries each), Sum over 60 s periods, the latest complete one.
// SQS publishes these at one-minute granularity, so a 30 s sampler sees each minute twice;
// the caller scales a period's sum to its own interval.
import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { QueueCounters, QueueMetrics } from '../queues.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

const sdk = lazy(() => import('@aws-sdk/client-cloudwatch'));

export const CLOUDWATCH: AwsService<CloudWatchClient> = { name: 'cloudwatch', create: async (config) => new (await sdk()).CloudWatchClient(config) };

const METRICS = [
  ['sent', 'NumberOfMessagesSent'],
  ['received', 'NumberOfMessagesReceived'],
  ['deleted', 'NumberOfMessagesDeleted'],
] as const;
const PERIOD_SECONDS = 60;
const MAX_QUERIES = 500;

export function awsQueueMetrics(clients: AwsClients, target: AwsTarget): QueueMetrics {
  return {
    latest: async (queueNames, nowMs) => {
      const names = [...new Set(queueNames)];
      const perCall = Math.floor(MAX_QUERIES / METRICS.length);
      const out = new Map<string, QueueCounters>();
      for (let i = 0; i < names.length; i += perCall) {
        const batch = names.slice(i, i + perCall);
        for (const [name, counters] of await fetchBatch(clients, target, batch, nowMs)) out.set(name, counters);
      }
      return out;
    },
  };
}

async function fetchBatch(clients: AwsClients, target: AwsTarget, names: readonly string[], nowMs: number): Promise<Map<string, QueueCounters>> {
  const queries: MetricDataQuery[] = names.flatMap((queue, q) =>
    METRICS.map(([, metric], m) => ({
      Id: `q${q}m${m}`,
      MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: metric, Dimensions: [{ Name: 'QueueName', Value: queue }] }, Period: PERIOD_SECONDS, Stat: 'Sum' },
      ReturnData: true,
    })),
  );
  // Five minutes back: CloudWatch may publish a minute late; the newest datapoint wins.
  const end = new Date(Math.floor(nowMs / 60_000) * 60_000 + 60_000);
  const start = new Date(end.getTime() - 5 * 60_000);
  const [client, { GetMetricDataCommand }] = await Promise.all([clients.client(CLOUDWATCH, target), sdk()]);
  const res = await clients.call(CLOUDWATCH.name, 'GetMetricData', () =>
    client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampDescending' })),
  );
  const out = new Map<string, { at: number } & Record<string, number>>();
  for (const r of res.MetricDataResults ?? []) {
    const m = /^q(\d+)m(\d+)$/.exec(r.Id ?? '');
    const queue = m ? names[Number(m[1])] : undefined;
    const field = m ? METRICS[Number(m[2])]?.[0] : undefined;
    const newest = latestPoint(r.Timestamps, r.Values);
    if (!queue || !field || !newest) continue;
    const entry = out.get(queue) ?? { at: newest.at };
    entry[field] = newest.value;
    entry.at = Math.max(entry.at, newest.at);
    out.set(queue, entry);
  }
  return new Map([...out].map(([q, e]) => [q, { ...e, periodSeconds: PERIOD_SECONDS, at: e.at + PERIOD_SECONDS * 1000 }]));
}

function latestPoint(timestamps: readonly Date[] | undefined, values: readonly number[] | undefined): { at: number; value: number } | undefined {
  let best: { at: number; value: number } | undefined;
  (timestamps ?? []).forEach((ts, i) => {
    const value = values?.[i];
    if (value !== undefined && (!best || ts.getTime() > best.at)) best = { at: ts.getTime(), value };
  });
  return best;
}
