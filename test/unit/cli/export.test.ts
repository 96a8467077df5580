// `costguard export` without AWS: the call plan against GetMetricData's limits, CloudWatch's
// retention, the flags, and the run itself over scripted ports (the moto test in
// test/integration/cli/ runs it against the real API shape).
import assert from 'node:assert/strict';
import { CloudError } from '../../../src/cloud/errors.ts';
import type { GroupFacts, HistorySources } from '../../../src/cloud/history-sources.ts';
import type { MetricHistory, MetricPoint, MetricQuery, MetricWindow } from '../../../src/cloud/metric-history.ts';
import { billedMetrics, callFloor, planCalls, pointsPerQuery, retentionProblem } from '../../../src/cli/export-plan.ts';
import { exportQueries } from '../../../src/cli/export-queries.ts';
import { runExport, type ExportDeps } from '../../../src/cli/export-run.ts';
import { explainCloudError, withBackoff } from '../../../src/cli/export-retry.ts';
import { defaultPeriod, exportRequest, windowOf } from '../../../src/cli/export.ts';
import { parseHistory } from '../../../src/cli/history.ts';
import { counterQuery, rangeWindows } from '../../../src/cli/prometheus-range.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const query = (i: number): MetricQuery => ({ id: `m${i}`, namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', dimensions: { AutoScalingGroupName: `g${i}` }, stat: 'Maximum' });
const queries = (n: number) => Array.from({ length: n }, (_, i) => query(i));
const days = (n: number, periodSeconds: number): MetricWindow => ({ startMs: NOW - n * DAY, endMs: NOW, periodSeconds });

describe('export: the call plan', () => {
  const TINY = { queries: 5, datapoints: 300 };
  const cases: [string, number, MetricWindow, number, number, typeof TINY?][] = [
    // 160 × 8,640 = 1,382,400 datapoints: 13.7 calls' worth; 11 metrics of a month fit a call.
    ['20 groups × 8 metrics, 30 days of 5 minutes', 160, days(30, 300), 15, 14],
    ['20 groups × 2 metrics, 14 days of minutes', 40, days(14, 60), 8, 8],
    ['one metric, one day of minutes: one call', 1, days(1, 60), 1, 1],
    ['500 metrics, one hour: one call', 500, days(1 / 24, 60), 1, 1],
    ['501 metrics, one hour: two calls', 501, days(1 / 24, 60), 2, 2],
    ['1,000 metrics, 15 days of minutes', 1000, days(15, 60), 250, 215],
    ['7 metrics, 100 periods, 5 a call and 300 datapoints', 7, days(100 / 1440, 60), 3, 3, TINY],
  ];
  for (const [name, n, window, calls, floor, limits = { queries: 500, datapoints: 100_800 }] of cases) {
    it(`${name}: ${calls} calls (floor ${floor}), each metric billed once`, () => {
      const plan = planCalls(queries(n), window, limits);
      assert.equal(plan.length, calls);
      assert.equal(callFloor(n, pointsPerQuery(window), limits), floor);
      assert.equal(billedMetrics(plan), n);
      for (const c of plan) {
        assert.ok(c.queries.length <= limits.queries);
        assert.ok(c.queries.length * pointsPerQuery(c.window) <= limits.datapoints, 'a call within the datapoint limit');
      }
    });
  }

  it('cuts a window longer than one call\'s datapoints, one metric a call', () => {
    const plan = planCalls(queries(2), days(100 / 1440, 60), { queries: 5, datapoints: 40 });
    assert.equal(plan.length, 6);
    assert.ok(plan.every((c) => c.queries.length === 1 && pointsPerQuery(c.window) <= 40));
  });

  it('covers the window exactly once per query, in whole periods', () => {
    const window = days(3, 60);
    for (const limits of [undefined, { queries: 5, datapoints: 1000 }]) {
      const plan = planCalls(queries(60), window, limits);
      const covered = plan.filter((c) => c.queries.some((q) => q.id === 'm0')).reduce((sum, c) => sum + pointsPerQuery(c.window), 0);
      assert.equal(covered, pointsPerQuery(window));
      assert.equal(Math.min(...plan.map((c) => c.window.startMs)), window.startMs);
      assert.equal(Math.max(...plan.map((c) => c.window.endMs)), window.endMs);
    }
  });

  it('plans nothing for nothing', () => {
    assert.deepEqual(planCalls([], days(1, 60)), []);
    assert.equal(callFloor(0, 100), 0);
  });
});

describe('export: CloudWatch retention', () => {
  const cases: [string, MetricWindow, RegExp | undefined][] = [
    ['14 days of minutes', days(14, 60), undefined],
    ['15 days of minutes', days(15, 60), undefined],
    ['16 days of minutes', days(16, 60), /starts 16 days ago, but CloudWatch keeps 1-minute data for 15 days: use --resolution=5m \(kept 63 days\)/],
    ['30 days of 5 minutes', days(30, 300), undefined],
    ['90 days of 5 minutes', days(90, 300), /keeps 5-minute data for 63 days: use --resolution=1h \(kept 455 days\)/],
    ['500 days of hours', days(500, 3600), /keeps 1-hour data for 455 days: start within the last 455 days/],
  ];
  for (const [name, window, problem] of cases) {
    it(`${name}: ${problem ? 'refused' : 'kept'}`, () => {
      const p = retentionProblem(window, NOW);
      if (problem) assert.match(p ?? '', problem);
      else assert.equal(p, undefined);
    });
  }

  it('picks the finest resolution CloudWatch still keeps when none is asked for', () => {
    assert.equal(defaultPeriod(14 * 86_400), 60);
    assert.equal(defaultPeriod(30 * 86_400), 300);
    assert.equal(defaultPeriod(100 * 86_400), 3600);
  });
});

describe('export: flags', () => {
  const env = { AWS_REGION: 'eu-west-1' };
  it('reads the period as --since or --start/--end, in whole periods', () => {
    const w = windowOf(new Map([['since', '2d']]), NOW + 30_000);
    assert.deepEqual(w, { startMs: NOW - 2 * DAY, endMs: NOW, periodSeconds: 60 });
    const e = windowOf(new Map([['start', '2026-11-01T00:00:00Z'], ['end', '2026-11-02'], ['resolution', '1h']]), NOW);
    assert.deepEqual(e, { startMs: Date.parse('2026-11-01T00:00:00Z'), endMs: Date.parse('2026-11-02T00:00:00Z'), periodSeconds: 3600 });
  });

  it('builds the request and names what is wrong', () => {
    const { request, out } = exportRequest(['--group=orders', '--queue', 'orders-q', '--dlq=orders-dlq', '--out=x.csv'], env, NOW);
    assert.deepEqual(request.targets, [{ group: 'orders', queue: 'orders-q', dlq: 'orders-dlq' }]);
    const many = exportRequest(['--group=a,b,c', '--queue=qa,,qc', '--out-dir=d'], env, NOW);
    assert.deepEqual(many.request.targets, [{ group: 'a', queue: 'qa' }, { group: 'b' }, { group: 'c', queue: 'qc' }]);
    assert.equal(many.outDir, 'd');
    assert.equal(request.region, 'eu-west-1');
    assert.equal(out, 'x.csv');
    const bad: [string[], RegExp][] = [
      [[], /needs --group/],
      [['--group=a', '--since=soon'], /invalid --since="soon"/],
      [['--group=a', '--resolution=2m'], /expected 1m, 5m or 1h/],
      [['--group=a', '--start=2026-11-02T00:00:00Z', '--end=2026-11-01T00:00:00Z'], /--start must be before --end/],
      [['--group=a', '--start=monday'], /invalid --start="monday"/],
      [['--group=a', '--prometheus-url=prom:9090'], /expected http\(s\):\/\/host:port/],
      [['--group=a', '--colour=red'], /unknown flag --colour for export/],
      [['--group=a,b'], /several groups need --out-dir/],
      [['--group=a,b', '--queue=q', '--out-dir=d'], /--queue names 1 queues for 2 groups/],
      [['--group=a,b', '--out-dir=d', '--prometheus-url=http://p:9090'], /one group at a time/],
    ];
    for (const [argv, message] of bad) assert.throws(() => exportRequest(argv, env, NOW), message);
    assert.throws(() => exportRequest(['--group=a'], {}, NOW), /needs --region/);
  });
});

/** A scripted MetricHistory: datapoints by query id, and the calls it was asked for. */
function scriptedHistory(points: (q: MetricQuery, w: MetricWindow) => MetricPoint[], failures: CloudError[] = []): MetricHistory & { calls: number } {
  const h = {
    calls: 0,
    fetch(qs: readonly MetricQuery[], w: MetricWindow, onCall?: () => void) {
      const fail = failures.shift();
      if (fail) return Promise.reject(fail);
      h.calls++;
      onCall?.();
      return Promise.resolve(new Map(qs.map((q) => [q.id, points(q, w)])));
    },
  };
  return h;
}

function sources(group: GroupFacts | undefined, queues: string[] = []): HistorySources {
  return {
    group: () => Promise.resolve(group),
    queue: (name) => (queues.includes(name) ? Promise.resolve(name) : Promise.reject(new CloudError({ kind: 'NotFound', service: 'sqs', operation: 'GetQueueUrl', code: 'AWS.SimpleQueueService.NonExistentQueue' }))),
  };
}

const GROUP: GroupFacts = { name: 'orders', enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'], instanceTypes: ['m5.large'] };
const WINDOW = { startMs: NOW - 3 * 3_600_000, endMs: NOW, periodSeconds: 60 };

function deps(history: MetricHistory, src: HistorySources, log: string[] = [], sleeps: number[] = []): ExportDeps {
  return { history, sources: src, nowMs: NOW, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), log: (l) => void log.push(l) };
}

/** Every minute of the window for desired, every other minute for the queue's deletes. */
const minutes = (q: MetricQuery, w: MetricWindow): MetricPoint[] => {
  const out: MetricPoint[] = [];
  for (let at = w.startMs; at < w.endMs; at += 60_000) if (q.id === 'desired' || (q.id === 'sqs_deleted' && (at / 60_000) % 2 === 0)) out.push({ at, value: q.id === 'desired' ? 4 : 100 });
  return out;
};

describe('export: the run', () => {
  it('announces the billed metrics, pulls, and writes a trace with its facts; missing stays empty', async () => {
    const log: string[] = [];
    const history = scriptedHistory(minutes);
    const res = await runExport({ targets: [{ group: 'orders', queue: 'orders-q' }], window: WINDOW, region: 'us-east-1' }, deps(history, sources(GROUP, ['orders-q']), log));
    assert.equal(res.calls, 1);
    assert.equal(res.floorCalls, 1);
    assert.equal(res.billedMetrics, 7);
    assert.match(log[0]!, /^export: 7 metrics × 180 periods in 1 GetMetricData calls: 7 metrics requested, billed by CloudWatch/);
    const h = parseHistory(res.traces[0]!.text);
    assert.deepEqual(h.meta.group, 'orders');
    assert.deepEqual(h.meta.instance_types, 'm5.large');
    assert.equal(h.startMs, WINDOW.startMs);
    assert.deepEqual(h.trace.columns, ['desired', 'sqs_deleted']);
    assert.deepEqual(h.trace.samples.slice(0, 2), [{ t: 0, desired: 4, sqs_deleted: 100 }, { t: 60, desired: 4 }]);
    assert.match(res.traces[0]!.text, /^60,4,$/m);
  });

  it('reports progress on a pull of several calls', async () => {
    const log: string[] = [];
    const many = { targets: [{ group: 'orders', queue: 'q', dlq: 'd' }], window: { startMs: NOW - 14 * DAY, endMs: NOW, periodSeconds: 60 }, region: 'us-east-1' };
    const res = await runExport(many, deps(scriptedHistory(() => []), sources(GROUP, ['q', 'd']), log)).catch((e: Error) => e);
    assert.ok(res instanceof Error && /nothing to export/.test(res.message));
    const planned = planCalls(exportQueries(many.targets[0]!).map((c) => c.query), many.window).length;
    assert.ok(planned > 1);
    assert.equal(log.filter((l) => /^export: \d+\/\d+ calls \(\d+ %\)/.test(l)).length, planned);
  });

  it('pulls many groups in shared calls, one trace each', async () => {
    const log: string[] = [];
    const groups = ['a', 'b', 'c'].map((group) => ({ group }));
    const history = scriptedHistory((q, w) => (q.id.endsWith('_desired') ? [{ at: w.startMs, value: Number(q.id[1]) + 1 }] : []));
    const res = await runExport({ targets: groups, window: WINDOW, region: 'us-east-1' }, deps(history, { ...sources(GROUP), group: (name) => Promise.resolve({ ...GROUP, name }) }, log));
    assert.equal(res.calls, 1, 'six metrics of three groups in one call');
    assert.deepEqual(res.traces.map((t) => [t.group, parseHistory(t.text).trace.samples[0]!.desired, parseHistory(t.text).meta.group]), [['a', 1, 'a'], ['b', 2, 'b'], ['c', 3, 'c']]);
  });

  it('backs off on throttling and keeps going', async () => {
    const sleeps: number[] = [];
    const throttled = () => new CloudError({ kind: 'Throttled', service: 'cloudwatch', operation: 'GetMetricData', code: 'Throttling' });
    const history = scriptedHistory(minutes, [throttled(), throttled()]);
    const res = await runExport({ targets: [{ group: 'orders' }], window: WINDOW, region: 'us-east-1' }, deps(history, sources(GROUP), [], sleeps));
    assert.deepEqual(sleeps, [1000, 2000]);
    assert.equal(res.calls, 1);
  });

  it('tells a missing permission from unusable credentials', () => {
    const denied = (code: string) => explainCloudError(new CloudError({ kind: 'AccessDenied', service: 'autoscaling', operation: 'DescribeAutoScalingGroups', code, detail: 'Signature=abc123' })) as Error;
    assert.match(denied('AccessDenied').message, /^not permitted: autoscaling:DescribeAutoScalingGroups was denied \(AccessDenied\)/);
    assert.match(denied('ExpiredToken').message, /^AWS did not accept the credentials this command runs with \(ExpiredToken on autoscaling:DescribeAutoScalingGroups\)/);
    assert.ok(!denied('SignatureDoesNotMatch').message.includes('abc123'), 'no provider text, so no secret');
    const other = new CloudError({ kind: 'Throttled', service: 'cloudwatch', operation: 'GetMetricData', code: 'Throttling' });
    assert.equal(explainCloudError(other), other);
  });

  it('gives up after its retries, with the error', async () => {
    const fail = () => new CloudError({ kind: 'Throttled', service: 'cloudwatch', operation: 'GetMetricData', code: 'Throttling' });
    const sleeps: number[] = [];
    await assert.rejects(withBackoff(() => Promise.reject(fail()), { sleep: (ms) => (sleeps.push(ms), Promise.resolve()), log: () => {} }), /Throttled/);
    assert.deepEqual(sleeps, [1000, 2000, 4000, 8000, 16000, 30000]);
  });

  const errors: [string, Parameters<typeof runExport>[0], () => ExportDeps, RegExp][] = [
    ['a group that does not exist', { targets: [{ group: 'nope' }], window: WINDOW, region: 'us-east-1' }, () => deps(scriptedHistory(minutes), sources(undefined)), /Auto Scaling group "nope" does not exist in us-east-1/],
    ['a queue that does not exist', { targets: [{ group: 'orders', queue: 'nope' }], window: WINDOW, region: 'us-east-1' }, () => deps(scriptedHistory(minutes), sources(GROUP)), /SQS queue "nope" \(--queue\) does not exist in us-east-1/],
    ['a DLQ that does not exist', { targets: [{ group: 'orders', queue: 'q', dlq: 'nope' }], window: WINDOW, region: 'us-east-1' }, () => deps(scriptedHistory(minutes), sources(GROUP, ['q'])), /"nope" \(--dlq\) does not exist/],
    ['a period CloudWatch no longer keeps', { targets: [{ group: 'orders' }], window: { startMs: NOW - 20 * DAY, endMs: NOW, periodSeconds: 60 }, region: 'us-east-1' }, () => deps(scriptedHistory(minutes), sources(GROUP)), /keeps 1-minute data for 15 days/],
    [
      'no permission, naming the IAM action',
      { targets: [{ group: 'orders' }], window: WINDOW, region: 'us-east-1' },
      () => deps(scriptedHistory(minutes, [new CloudError({ kind: 'AccessDenied', service: 'cloudwatch', operation: 'GetMetricData', code: 'AccessDenied', detail: 'User: arn:aws:iam::123456789012:user/x is not authorized' })]), sources(GROUP)),
      /^not permitted: cloudwatch:GetMetricData was denied \(AccessDenied\)/,
    ],
  ];
  for (const [what, req, d, message] of errors) {
    it(`says so for ${what}`, async () => {
      await assert.rejects(runExport(req, d()), (err: Error) => err.name === 'ConfigError' || err.constructor.name === 'ConfigError' ? message.test(err.message) : assert.fail(err));
    });
  }

  it('explains disabled group metrics, and still writes what the queue has', async () => {
    const log: string[] = [];
    const off: GroupFacts = { ...GROUP, enabledMetrics: [] };
    const queueOnly = (q: MetricQuery, w: MetricWindow) => (q.id === 'sqs_sent' ? [{ at: w.startMs, value: 5 }] : []);
    const res = await runExport({ targets: [{ group: 'orders', queue: 'q' }], window: WINDOW, region: 'us-east-1' }, deps(scriptedHistory(queueOnly), sources(off, ['q']), log));
    assert.ok(log.some((l) => /group metrics collection is off for orders .*aws autoscaling enable-metrics-collection --auto-scaling-group-name orders/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /no GroupDesiredCapacity datapoints for orders/.test(l)));
    assert.deepEqual(parseHistory(res.traces[0]!.text).trace.samples, [{ t: 0, sqs_sent: 5 }]);
  });
});

// The range queries themselves run against a real Prometheus scraping real workers
// (test/integration/cli/export-prometheus.test.ts); what is pure is checked here.
describe('export: worker counters from a Prometheus range query', () => {
  it('asks for each counter\'s increase per period, summed over the fleet', () => {
    assert.equal(counterQuery('attempts', 'job="orders"', 60), 'sum(increase(costguard_worker_attempts_total{job="orders"}[60s]))');
    assert.equal(counterQuery('retries', '', 300), 'sum(increase(costguard_worker_retries_total{}[300s]))');
  });

  it('cuts long ranges under Prometheus\'s 11,000 points per series', () => {
    const windows = rangeWindows({ startMs: NOW - 15 * DAY, endMs: NOW, periodSeconds: 60 });
    assert.equal(windows.length, 3);
    assert.ok(windows.every((w) => (w.endMs - w.startMs) / 60_000 <= 10_000));
    assert.deepEqual([windows[0]!.startMs, windows.at(-1)!.endMs], [NOW - 15 * DAY, NOW]);
    assert.ok(windows.slice(1).every((w, i) => w.startMs === windows[i]!.endMs), 'no gap, no overlap');
  });
});
