// The MetricHistory port on CloudWatch GetMetricData: one request of up to 500 queries over a
// window, oldest first, every NextToken page followed, each page one guarded call. The SDK is
// behind the narrow MetricDataApi so unit tests can script pages.
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricHistory, MetricPoint, MetricQuery, MetricWindow } from '../metric-history.ts';
import { lazy, type AwsClients, type AwsTarget } from './clients.ts';
import { CLOUDWATCH } from './cloudwatch.ts';

const sdk = lazy(() => import('@aws-sdk/client-cloudwatch'));

/** The one CloudWatch call history needs; rejects only with CloudError. */
export interface MetricDataApi {
  getMetricData(input: GetMetricDataCommandInput): Promise<Pick<GetMetricDataCommandOutput, 'MetricDataResults' | 'NextToken'>>;
}

export function metricDataApi(clients: AwsClients, target: AwsTarget): MetricDataApi {
  return {
    async getMetricData(input) {
      const [client, { GetMetricDataCommand }] = await Promise.all([clients.client(CLOUDWATCH, target), sdk()]);
      return clients.call(CLOUDWATCH.name, 'GetMetricData', () => client.send(new GetMetricDataCommand(input), clients.sendOptions()));
    },
  };
}

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

/** MetricHistory over any MetricDataApi: pages followed to the end, one onCall per page. */
export function metricHistoryOver(api: MetricDataApi): MetricHistory {
  return {
    async fetch(queries: readonly MetricQuery[], window: MetricWindow, onCall?: () => void) {
      const out = new Map<string, MetricPoint[]>(queries.map((q) => [q.id, []]));
      const input: GetMetricDataCommandInput = {
        MetricDataQueries: queries.map((q) => toQuery(q, window.periodSeconds)),
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        ScanBy: 'TimestampAscending',
      };
      let NextToken: string | undefined;
      do {
        const page = await api.getMetricData({ ...input, ...(NextToken ? { NextToken } : {}) });
        onCall?.();
        addPage(out, page);
        NextToken = page.NextToken || undefined;
      } while (NextToken);
      return out;
    },
  };
}

export function awsMetricHistory(clients: AwsClients, target: AwsTarget): MetricHistory {
  return metricHistoryOver(metricDataApi(clients, target));
}
