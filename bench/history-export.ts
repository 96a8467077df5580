// `costguard export` of 30 days × 20 groups (each with a queue and a DLQ: 8 metrics a group)
// against moto, through a proxy that counts the GetMetricData calls made. The export's own code
// runs (runExport over the AWS adapters), one export per group as a user runs it, at the
// resolution CloudWatch keeps for 30 days (5 minutes). Compared with the floor of
// GetMetricData's limits for the same exports (500 metrics and 100,800 datapoints a call).
//
// moto holds one datapoint per group: its GetMetricData scans every stored datapoint for every
// period of every query, so a dense month would time moto, not the export.
import { setTimeout as delay } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { EnableMetricsCollectionCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Registry } from 'prom-client';
import { AwsClients } from '../src/cloud/aws/clients.ts';
import { awsHistorySources } from '../src/cloud/aws/history-sources.ts';
import { awsMetricHistory } from '../src/cloud/aws/metric-history.ts';
import { callFloor, pointsPerQuery } from '../src/cli/export-plan.ts';
import { exportQueries } from '../src/cli/export-queries.ts';
import { runExport, type ExportRequest } from '../src/cli/export-run.ts';
import { windowOf } from '../src/cli/export.ts';
import { createGroups, directClient } from '../test/integration/cloud/fixtures.ts';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import type { Figure } from './figures.ts';

const REGION = 'us-east-1';
const GROUPS = 20;

async function seed(names: readonly string[], nowMs: number): Promise<void> {
  const asg = directClient();
  const sqs = new SQSClient({ region: REGION });
  const cw = new CloudWatchClient({ region: REGION });
  try {
    await createGroups(asg, names.map((name) => ({ name, desired: 1 })));
    for (const name of names) {
      await asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: name, Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }));
      await sqs.send(new CreateQueueCommand({ QueueName: `${name}-q` }));
      await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    }
    const Timestamp = new Date(nowMs - 10 * 86_400_000);
    await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/AutoScaling', MetricData: names.map((Value) => ({ MetricName: 'GroupDesiredCapacity', Dimensions: [{ Name: 'AutoScalingGroupName', Value }], Timestamp, Value: 3 })) }));
  } finally {
    asg.destroy();
    sqs.destroy();
    cw.destroy();
  }
}

export async function benchHistoryExport(): Promise<Figure[]> {
  const proxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL!);
  const clients = new AwsClients({ registry: new Registry(), endpoint: proxy.endpoint, breaker: { volumeThreshold: Number.MAX_SAFE_INTEGER } });
  const nowMs = Date.now();
  const names = Array.from({ length: GROUPS }, (_, i) => `export-bench-${i}-${nowMs.toString(36)}`);
  try {
    await seed(names, nowMs);
    const window = windowOf(new Map([['since', '30d']]), nowMs);
    const requests: ExportRequest[] = names.map((group) => ({ targets: { group, queue: `${group}-q`, dlq: `${group}-dlq` }, window, region: REGION }));
    proxy.reset();
    const started = performance.now();
    let billed = 0;
    for (const request of requests) {
      const result = await runExport(request, { history: awsMetricHistory(clients, { region: REGION }), sources: awsHistorySources(clients, { region: REGION }), nowMs, sleep: (ms) => delay(ms), log: () => {} });
      billed += result.billedMetrics;
    }
    const seconds = (performance.now() - started) / 1000;
    const metrics = exportQueries(requests[0]!.targets).length;
    const points = pointsPerQuery(window);
    const floor = requests.length * callFloor(metrics, points);
    const onePull = callFloor(metrics * requests.length, points);
    const bench = 'history-export';
    return [
      { id: 'history-export.calls_30d_20_groups', bench, name: `GetMetricData calls to export 30 days × 20 groups (${metrics} metrics each, ${points.toLocaleString('en-US')} five-minute periods)`, value: proxy.count('GetMetricData'), unit: 'calls', baseline: { name: 'floor of the API\'s limits for 20 exports', value: floor }, note: `all ${metrics * GROUPS} metrics in one pull would have a floor of ${onePull} calls; export takes one group per run` },
      { id: 'history-export.billed_metrics_30d_20_groups', bench, name: 'Metrics requested (billed) for those exports', value: billed, unit: 'count', baseline: { name: 'metrics × calls at the floor', value: metrics * floor } },
      { id: 'history-export.wall_s_30d_20_groups', bench, name: 'Wall time of those 20 exports against moto, checks included', value: Math.round(seconds * 100) / 100, unit: 's', note: 'no baseline; moto holds one datapoint per group, so this times the requests, not a dense month (moto scans every datapoint per period)' },
    ];
  } finally {
    clients.shutdown();
    await proxy.close();
  }
}
