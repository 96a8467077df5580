// `costguard export` of 30 days × 20 groups (each with a queue and a DLQ: 8 metrics a group)
// against moto, through a proxy that counts the GetMetricData calls made. The export's own code
// runs (runExport over the AWS adapters) at the
// resolution CloudWatch keeps for 30 days (5 minutes), all 20 groups in one run. Compared with
// the floor of GetMetricData's limits (500 metrics and 100,800 datapoints a call) and with the
// least billing (each metric requested once).
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
    const request: ExportRequest = { targets: names.map((group) => ({ group, queue: `${group}-q`, dlq: `${group}-dlq` })), window, region: REGION };
    const deps = { history: awsMetricHistory(clients, { region: REGION }), sources: awsHistorySources(clients, { region: REGION }), nowMs, sleep: (ms: number) => delay(ms), log: () => {} };
    proxy.reset();
    const started = performance.now();
    const result = await runExport(request, deps);
    const seconds = (performance.now() - started) / 1000;
    const calls = proxy.count('GetMetricData');
    // The same 20 groups exported one at a time, as 20 runs of the command.
    proxy.reset();
    for (const targets of request.targets) await runExport({ ...request, targets: [targets] }, deps);
    const oneByOne = proxy.count('GetMetricData');
    const metrics = exportQueries(request.targets[0]!).length * GROUPS;
    const points = pointsPerQuery(window);
    const bench = 'history-export';
    return [
      { id: 'history-export.calls_30d_20_groups', bench, name: `GetMetricData calls to export 30 days × 20 groups in one run (${metrics} metrics × ${points.toLocaleString('en-US')} five-minute periods)`, value: calls, unit: 'calls', baseline: { name: 'floor of the API\'s limits (500 metrics, 100,800 datapoints a call)', value: callFloor(metrics, points) }, note: `one group per run takes ${oneByOne} calls` },
      { id: 'history-export.billed_metrics_30d_20_groups', bench, name: 'Metrics requested (billed) for that export', value: result.billedMetrics, unit: 'count', baseline: { name: 'each metric once, the least any plan bills', value: metrics }, note: `a plan at the call floor must cut the month into windows and bill metrics again: ${callFloor(metrics, points)} calls of all ${metrics} metrics would bill ${(callFloor(metrics, points) * metrics).toLocaleString('en-US')}` },
      { id: 'history-export.wall_s_30d_20_groups', bench, name: 'Wall time of that export against moto, existence checks included', value: Math.round(seconds * 100) / 100, unit: 's', note: 'no baseline; moto holds one datapoint per group, so this times the requests, not a dense month (moto scans every datapoint per period)' },
    ];
  } finally {
    clients.shutdown();
    await proxy.close();
  }
}
