// Bring your own history, against moto: the corpus's incident is published to CloudWatch the way
// Auto Scaling and SQS publish it (PutMetricData at past timestamps, one datapoint a minute),
// then `costguard export` pulls it back as a trace, `backtest` and `recommend` read the export,
// and `backtest` reads the JSON the real AWS CLI prints for `aws cloudwatch get-metric-data`.
// The CLI runs as its own process through a proxy that counts its calls and can inject AWS errors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnableMetricsCollectionCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'yaml';
import { assets, repoRoot, run } from '../../../hack/localenv/index.ts';
import { validateSpec } from '../../../src/api/v1alpha1/index.ts';
import { parseTrace } from '../../../src/signals/trace.ts';
import type { SignalColumn } from '../../../src/signals/sample.ts';
import { FaultProxy } from '../../support/fault-proxy.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, REGION } from '../cloud/fixtures.ts';

const MINUTE = 60_000;
const main = join(repoRoot, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'history-'));

/** The incident at one sample a minute (counters summed over each minute), as CloudWatch keeps it. */
function incidentByMinute(): { minute: number; values: Partial<Record<SignalColumn, number>> }[] {
  const trace = parseTrace(readFileSync(join(repoRoot, 'test', 'traces', 'runaway-incident.csv'), 'utf8'));
  const minutes = new Map<number, Partial<Record<SignalColumn, number>>>();
  for (const s of trace.samples) {
    const m = Math.floor((s.t - 1) / 60);
    const row = minutes.get(m) ?? {};
    for (const c of ['sqs_sent', 'sqs_received', 'sqs_deleted', 'dlq_in'] as const) if (s[c] !== undefined) row[c] = (row[c] ?? 0) + s[c];
    for (const c of ['desired', 'in_service', 'sqs_visible', 'sqs_not_visible'] as const) if (s[c] !== undefined) row[c] = s[c];
    minutes.set(m, row);
  }
  return [...minutes].map(([minute, values]) => ({ minute, values }));
}

const METRICS: [SignalColumn, string, 'group' | 'queue'][] = [
  ['desired', 'GroupDesiredCapacity', 'group'],
  ['in_service', 'GroupInServiceInstances', 'group'],
  ['sqs_sent', 'NumberOfMessagesSent', 'queue'],
  ['sqs_received', 'NumberOfMessagesReceived', 'queue'],
  ['sqs_deleted', 'NumberOfMessagesDeleted', 'queue'],
  ['sqs_visible', 'ApproximateNumberOfMessagesVisible', 'queue'],
  ['sqs_not_visible', 'ApproximateNumberOfMessagesNotVisible', 'queue'],
];

describe('costguard export, backtest and recommend against moto', function () {
  this.timeout(120_000);
  const suffix = Date.now().toString(36);
  const group = `hist-${suffix}`;
  const quiet = `hist-quiet-${suffix}`;
  const queue = `hist-q-${suffix}`;
  const dlq = `hist-dlq-${suffix}`;
  const cw = new CloudWatchClient({ region: REGION });
  const sqs = new SQSClient({ region: REGION });
  const asg = directClient();
  let proxy: FaultProxy;
  let firstMinute: number;
  let rows: ReturnType<typeof incidentByMinute>;

  const cli = (...args: string[]) => run(process.execPath, [main, ...args], { env: { ...process.env, AWS_ENDPOINT_URL: proxy.endpoint, AWS_REGION: REGION } });

  async function publish(): Promise<void> {
    const data: MetricDatum[] = [];
    let dlqDepth = 0;
    for (const { minute, values } of rows) {
      const Timestamp = new Date(firstMinute + minute * MINUTE);
      for (const [column, MetricName, kind] of METRICS) {
        const Value = values[column];
        if (Value === undefined) continue;
        const Dimensions = kind === 'group' ? [{ Name: 'AutoScalingGroupName', Value: group }] : [{ Name: 'QueueName', Value: queue }];
        data.push({ MetricName, Dimensions, Timestamp, Value, Unit: 'Count' });
      }
      dlqDepth += values.dlq_in ?? 0;
      data.push({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: dlq }], Timestamp, Value: dlqDepth, Unit: 'Count' });
    }
    const byNamespace = (ns: string, names: string[]) => data.filter((d) => names.includes(d.MetricName!) && (ns === 'AWS/AutoScaling') === (d.Dimensions![0]!.Name === 'AutoScalingGroupName'));
    const groupData = byNamespace('AWS/AutoScaling', ['GroupDesiredCapacity', 'GroupInServiceInstances']);
    const queueData = data.filter((d) => !groupData.includes(d));
    for (const [Namespace, list] of [['AWS/AutoScaling', groupData], ['AWS/SQS', queueData]] as const) {
      for (let i = 0; i < list.length; i += 500) await cw.send(new PutMetricDataCommand({ Namespace, MetricData: list.slice(i, i + 500) }));
    }
  }

  before(async () => {
    testEnv();
    proxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL!);
    // One instance, so the group's instance type is known without its launch configuration.
    await createGroups(asg, [{ name: group, desired: 1 }, { name: quiet }]);
    // AWS enables every group metric when Metrics is left out; moto 5.2.5 enables none, so name them.
    await asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: group, Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }));
    await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    await sqs.send(new CreateQueueCommand({ QueueName: dlq }));
    rows = incidentByMinute();
    // The incident ended ten minutes ago.
    firstMinute = Math.floor(Date.now() / MINUTE) * MINUTE - (rows.length + 10) * MINUTE;
    await publish();
  });

  after(async () => {
    cw.destroy();
    sqs.destroy();
    asg.destroy();
    await proxy.close();
  });

  const exportFile = join(dir, 'export.csv');

  it('exports the group, queue and DLQ as a trace, announcing the billed metric count first', async () => {
    proxy.reset();
    const res = await cli('export', `--group=${group}`, `--queue=${queue}`, `--dlq=https://sqs.${REGION}.amazonaws.com/123456789012/${dlq}`, '--since=3h', `--out=${exportFile}`);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr.split('\n')[0]!, /^export: 8 metrics × 180 periods in 1 GetMetricData calls: 8 metrics requested, billed by CloudWatch/);
    assert.equal(proxy.count('GetMetricData'), 1);
    const text = readFileSync(exportFile, 'utf8');
    assert.match(text, new RegExp(`^# group: ${group}$`, 'm'));
    assert.match(text, /^# instance_types: t3\.micro$/m);
    const trace = parseTrace(text);
    assert.deepEqual(trace.columns, ['desired', 'in_service', 'sqs_sent', 'sqs_received', 'sqs_deleted', 'sqs_visible', 'sqs_not_visible', 'dlq_in']);
    assert.equal(trace.samples.length, rows.length);
    // t from the first sample, one row a minute, the values as published.
    assert.deepEqual(trace.samples.slice(0, 2).map((s) => s.t), [0, 60]);
    const first = rows[0]!.values;
    assert.deepEqual([trace.samples[0]!.desired, trace.samples[0]!.sqs_deleted], [first.desired, first.sqs_deleted]);
    assert.equal(trace.samples[0]!.dlq_in, undefined, 'the first DLQ depth has no inflow yet: empty, not zero');
    const dlqIn = trace.samples.slice(1).reduce((sum, s) => sum + (s.dlq_in ?? 0), 0);
    assert.equal(dlqIn, rows.slice(1).reduce((sum, r) => sum + (r.values.dlq_in ?? 0), 0));
  });

  it('backtest calls the exported incident a runaway, and recommend proposes a ceiling that validates', async () => {
    const bt = await cli('backtest', exportFile);
    assert.equal(bt.code, 0, bt.stderr);
    assert.match(bt.stdout, /\nbacktest: verdict=runaway first_alert_t=\d+\n$/);
    const rec = await cli('recommend', exportFile);
    assert.equal(rec.code, 0, rec.stderr);
    const doc = parse(rec.stdout) as { spec: { mode: string; scalingGroups: { name: string; maxSize: number }[] } };
    assert.equal(doc.spec.mode, 'DryRun');
    assert.equal(doc.spec.scalingGroups[0]!.name, group);
    assert.deepEqual(validateSpec(doc.spec), []);
    assert.match(rec.stdout, /worst case at the ceiling: \d+ × \$0\.0104\/h \(t3\.micro, price table [\d-]+, us-east-1\)/);
  });

  // AWS CLI v1 prints CloudWatch's timestamps as epoch seconds by default, and as ISO 8601 when
  // the config says cli_timestamp_format = iso8601 (v2's default): users send either.
  const timestampFormats: [string, string, RegExp][] = [
    ['epoch seconds (the default)', '', /^\d{10}(\.\d+)?$/],
    ['ISO 8601 (cli_timestamp_format = iso8601)', '[default]\ncli_timestamp_format = iso8601\n', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)$/],
  ];
  const epochOrIsoMs = (t: string | number): number => (typeof t === 'number' ? t * 1000 : Date.parse(t));
  for (const [i, [format, config, stamp]] of timestampFormats.entries()) {
    it(`backtest reads what \`aws cloudwatch get-metric-data\` prints, times as ${format}: default labels, newest first`, async () => {
      const query = (Id: string, [Namespace, MetricName]: [string, string], dim: [string, string], Stat: string) => ({ Id, MetricStat: { Metric: { Namespace, MetricName, Dimensions: [{ Name: dim[0], Value: dim[1] }] }, Period: 60, Stat } });
      const queries = [
        query('m1', ['AWS/AutoScaling', 'GroupDesiredCapacity'], ['AutoScalingGroupName', group], 'Maximum'),
        query('m2', ['AWS/AutoScaling', 'GroupInServiceInstances'], ['AutoScalingGroupName', group], 'Average'),
        query('m3', ['AWS/SQS', 'NumberOfMessagesReceived'], ['QueueName', queue], 'Sum'),
        query('m4', ['AWS/SQS', 'NumberOfMessagesDeleted'], ['QueueName', queue], 'Sum'),
        query('m5', ['AWS/SQS', 'NumberOfMessagesSent'], ['QueueName', queue], 'Sum'),
      ];
      // The real AWS CLI, straight to moto, with a config file of the test's own (the machine's is not read).
      const configFile = join(dir, `aws-config-${i}`);
      writeFileSync(configFile, config);
      const aws = await run(assets.aws(), [
        'cloudwatch', 'get-metric-data', '--endpoint-url', process.env.AWS_ENDPOINT_URL!, '--region', REGION, '--output', 'json',
        '--start-time', new Date(firstMinute).toISOString(), '--end-time', new Date(firstMinute + (rows.length + 1) * MINUTE).toISOString(),
        '--scan-by', 'TimestampDescending', '--metric-data-queries', JSON.stringify(queries),
      ], { env: { ...process.env, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'absent-credentials') } });
      assert.equal(aws.code, 0, aws.stderr);
      const printed = JSON.parse(aws.stdout) as { MetricDataResults: { Label: string; Timestamps: (string | number)[]; Values: number[] }[] };
      assert.equal(printed.MetricDataResults.length, queries.length);
      for (const r of printed.MetricDataResults) {
        assert.ok(r.Timestamps.length > 1 && r.Timestamps.length === r.Values.length, r.Label);
        assert.match(String(r.Timestamps[0]), stamp);
        assert.ok(epochOrIsoMs(r.Timestamps[0]!) > epochOrIsoMs(r.Timestamps[1]!), `${r.Label}: newest first`);
      }
      const file = join(dir, `get-metric-data-${i}.json`);
      writeFileSync(file, aws.stdout);
      const bt = await cli('backtest', file);
      assert.equal(bt.code, 0, bt.stderr);
      assert.match(bt.stdout, /\nbacktest: verdict=runaway first_alert_t=\d+\n$/);
    });
  }

  it('explains a group whose metrics collection is off, and writes nothing for it', async () => {
    const res = await cli('export', `--group=${quiet}`, '--since=1h', `--out=${join(dir, 'quiet.csv')}`);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /group metrics collection is off for hist-quiet-\S+ \(GroupDesiredCapacity, GroupInServiceInstances not enabled\)/);
    assert.match(res.stderr, /no GroupDesiredCapacity datapoints for hist-quiet-\S+ in the period/);
    assert.match(res.stderr, /^costguard: no datapoints for hist-quiet-\S+ in the period, so there is nothing to export$/m);
  });

  it('exports several groups in shared calls, one trace each, and names a group without data', async () => {
    proxy.reset();
    const out = join(dir, 'many');
    const res = await cli('export', `--group=${group},${quiet}`, `--queue=${queue},`, '--since=3h', `--out-dir=${out}`);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(proxy.count('GetMetricData'), 1);
    assert.match(res.stderr, /^export: 9 metrics × 180 periods in 1 GetMetricData calls/m);
    assert.match(res.stderr, /no other metric has datapoints either, so there is no trace for it/);
    const trace = parseTrace(readFileSync(join(out, `${group}.csv`), 'utf8'));
    assert.equal(trace.samples.length, rows.length);
    assert.deepEqual(trace.columns, ['desired', 'in_service', 'sqs_sent', 'sqs_received', 'sqs_deleted', 'sqs_visible', 'sqs_not_visible']);
  });

  const errors: [string, () => string[], RegExp][] = [
    ['a group that does not exist', () => ['--group=absent-group', '--since=1h'], /^costguard: Auto Scaling group "absent-group" does not exist in us-east-1/m],
    ['a queue that does not exist', () => [`--group=${group}`, '--queue=absent-queue', '--since=1h'], /^costguard: SQS queue "absent-queue" \(--queue\) does not exist in us-east-1/m],
    ['a period CloudWatch no longer keeps at that resolution', () => [`--group=${group}`, '--since=30d', '--resolution=1m'], /^costguard: the period starts 30 days ago, but CloudWatch keeps 1-minute data for 15 days: use --resolution=5m/m],
  ];
  for (const [what, args, message] of errors) {
    it(`says so, in one line with exit code 2, for ${what}`, async () => {
      const res = await cli('export', ...args());
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, message);
      assert.equal(res.stdout, '');
    });
  }

  it('reports an unreachable Prometheus in one line, exit code 2', async () => {
    const res = await cli('export', `--group=${group}`, '--since=1h', '--prometheus-url=http://127.0.0.1:1');
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^costguard: prometheus at http:\/\/127\.0\.0\.1:1 did not answer/m);
    assert.equal(res.stdout, '');
  });

  it('names the IAM action AWS denied', async () => {
    proxy.inject({ action: 'GetMetricData', status: 403, code: 'AccessDenied', message: 'User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: cloudwatch:GetMetricData' });
    const res = await cli('export', `--group=${group}`, '--since=1h');
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^costguard: not permitted: cloudwatch:GetMetricData was denied \(AccessDenied\)/m);
  });

  it('backs off when CloudWatch throttles, and finishes', async () => {
    proxy.reset();
    proxy.inject({ action: 'GetMetricData', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 3 });
    const res = await cli('export', `--group=${group}`, '--since=1h');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /export: throttled \(Throttling\); retrying in 1 s/);
    assert.match(res.stdout, /^t,desired,in_service$/m);
  });
});
