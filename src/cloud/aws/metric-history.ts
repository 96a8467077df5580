// The MetricHistory port on CloudWatch GetMetricData: one request of up to 500 queries over a
// window, oldest first, every NextToken page followed, each page one guarded call.
import type { GetMetricDataCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricHistory, MetricPoint, MetricQuery, MetricWindow } from '../metric-history.ts';
import { lazy, type AwsClients, type AwsTarget } from './clients.ts';
import { CLOUDWATCH } from './cloudwatch.ts';

const sdk = lazy(() => import('@aws-sdk/client-cloudwatch'));

function toQuery(q: MetricQuery, periodSeconds: number): MetricDataQuery {
  const Dimensions = Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value }));
  return { Id: q.id, MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions }, Period: periodSeconds, Stat: q.stat }, ReturnData: true };
}

function addPage(out: Map<string, MetricPoint[]>, page: Pick<GetMetricDataCommandOutput, 'MetricDataResults'>): void {
  for (const r of page.MetricDataResults ?? []) {
    const list = out.get(r.Id ?? '');
    if (!list) continue;
    (r.Timestamps ?? []).forEach((ts, i) => {
      const value = r.Values?.[i];
      if (value !== undefined) list.push({ at: ts.getTime(), value });
    });
  }
}

export function awsMetricHistory(clients: AwsClients, target: AwsTarget): MetricHistory {
  return {
    async fetch(queries: readonly MetricQuery[], window: MetricWindow, onCall?: () => void) {
      const [client, { GetMetricDataCommand }] = await Promise.all([clients.client(CLOUDWATCH, target), sdk()]);
      const out = new Map<string, MetricPoint[]>(queries.map((q) => [q.id, []]));
      const input = {
        MetricDataQueries: queries.map((q) => toQuery(q, window.periodSeconds)),
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        ScanBy: 'TimestampAscending' as const,
      };
      let NextToken: string | undefined;
      do {
        const page = await clients.call(CLOUDWATCH.name, 'GetMetricData', () => client.send(new GetMetricDataCommand({ ...input, ...(NextToken ? { NextToken } : {}) }), clients.sendOptions()));
        onCall?.();
        addPage(out, page);
        NextToken = page.NextToken || undefined;
      } while (NextToken);
      return out;
    },
  };
}
