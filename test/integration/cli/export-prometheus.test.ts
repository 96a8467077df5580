// `costguard export --prometheus-url` against a real Prometheus: it scrapes real costguard/worker
// instances (the fleet of the Prometheus tests) while they run a known load, and the CLI, as its
// own process, pulls the group's capacity from moto and the workers' counters with range
// queries. The trace must hold what the workers counted, in the minute they counted it, and
// leave the minutes before Prometheus scraped anything empty, not zero.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnableMetricsCollectionCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PrometheusServer, repoRoot, run } from '../../../hack/localenv/index.ts';
import { parseHistory } from '../../../src/cli/history.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, REGION } from '../cloud/fixtures.ts';
import { WorkerFleet } from '../prometheus/fleet.ts';
import { eventually } from '../runtime/helpers.ts';

const MINUTE = 60_000;
const JOB = 'history-workers';
const main = join(repoRoot, 'src', 'cli', 'main.ts');

describe('costguard export --prometheus-url against a real Prometheus scraping real workers', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'export-prom-'));
  const prom = new PrometheusServer(dir);
  const fleet = new WorkerFleet();
  const group = `hist-prom-${Date.now().toString(36)}`;
  const cw = new CloudWatchClient({ region: REGION });
  const asg = directClient();
  /** Minutes before Prometheus first scraped the workers: capacity only, no worker counters. */
  let promStartedMs: number;
  let load: { fromMs: number; toMs: number };
  const counted = () => fleet.workers.reduce((sum, w) => ({ attempts: sum.attempts + w.metrics.counts.attempts, retries: sum.retries + w.metrics.counts.retries }), { attempts: 0, retries: 0 });
  const scraped = async (counter: string): Promise<number | undefined> => (await prom.query(`sum(costguard_worker_${counter}_total{job="${JOB}"})`))[0]?.value;

  const cli = (...args: string[]) => run(process.execPath, [main, ...args], { env: { ...process.env, AWS_REGION: REGION } });

  before(async function () {
    this.timeout(120_000);
    testEnv();
    await createGroups(asg, [{ name: group, desired: 2 }]);
    await asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: group, Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }));
    // Idle workers first, so Prometheus has their counters at zero before any job runs: an
    // increase() that starts from a scraped zero misses nothing.
    fleet.load.jobsPerTick = 0;
    await fleet.start(3);
    await prom.start([{ job: JOB, targets: fleet.targets }]);
    promStartedMs = Date.now();
    await eventually('the idle workers scraped', async () => (await scraped('attempts')) === 0, 30_000, 250);
    // A quarter of first attempts fail and are retried (the fleet's budget grants every retry).
    fleet.load.failShare = 0.25;
    fleet.load.jobsPerTick = 2;
    load = { fromMs: Date.now(), toMs: 0 };
    await eventually('1,500 attempts', () => counted().attempts >= 1500, 60_000, 100);
    fleet.load.jobsPerTick = 0;
    load.toMs = Date.now();
    const done = counted();
    await eventually('Prometheus has the final counts', async () => (await scraped('attempts')) === done.attempts && (await scraped('retries')) === done.retries, 30_000, 250);
    const lastScrape = Date.now();
    // Export reads whole minutes up to the last one that has ended: wait for the minute of the
    // final scrape to end.
    await eventually('the minute of the last scrape has ended', () => Math.floor(Date.now() / MINUTE) * MINUTE >= lastScrape, 70_000, 250);
    // The group's capacity for the last ten whole minutes, as Auto Scaling publishes it.
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const MetricData = Array.from({ length: 10 }, (_, i) => ({ MetricName: 'GroupDesiredCapacity', Dimensions: [{ Name: 'AutoScalingGroupName', Value: group }], Timestamp: new Date(now - (10 - i) * MINUTE), Value: 2, Unit: 'Count' as const }));
    await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/AutoScaling', MetricData }));
  });

  after(async () => {
    await fleet.stop();
    await prom.stop();
    cw.destroy();
    asg.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the workers\' attempts and retries in the minutes they ran, and nothing before Prometheus scraped', async () => {
    const out = join(dir, 'export.csv');
    const res = await cli('export', `--group=${group}`, '--since=10m', `--prometheus-url=${prom.url}`, `--prometheus-selector=job="${JOB}"`, `--out=${out}`);
    assert.equal(res.code, 0, res.stderr);
    const h = parseHistory(readFileSync(out, 'utf8'));
    const rows = h.trace.samples.map((s) => ({ ...s, at: h.startMs! + s.t * 1000 }));
    assert.deepEqual(h.trace.columns.filter((c) => c.startsWith('worker_')), ['worker_attempts', 'worker_retries', 'worker_successes', 'worker_failures']);
    assert.ok(rows.every((r) => r.desired === 2), 'the capacity of every minute, from moto');

    const done = counted();
    const sum = (key: 'worker_attempts' | 'worker_retries') => rows.reduce((total, r) => total + (r[key] ?? 0), 0);
    // increase() sees only the samples inside each minute and extrapolates them to its edges,
    // so a minute boundary during the load costs up to a scrape interval's work (1 s of ~20 s).
    assert.ok(Math.abs(sum('worker_attempts') - done.attempts) <= done.attempts * 0.1, `attempts ${sum('worker_attempts')} against ${done.attempts} counted`);
    assert.ok(Math.abs(sum('worker_retries') - done.retries) <= done.retries * 0.1, `retries ${sum('worker_retries')} against ${done.retries} counted`);
    // A quarter of the jobs retried once: a fifth of the attempts are retries.
    assert.ok(Math.abs(sum('worker_retries') / sum('worker_attempts') - 0.2) < 0.02, `retry share ${sum('worker_retries') / sum('worker_attempts')}`);

    // A row is stamped with its minute's start, as CloudWatch stamps a period: the work shows in
    // the minutes the load ran, none before.
    const busy = rows.filter((r) => (r.worker_attempts ?? 0) > 0);
    const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
    assert.ok(busy.length > 0 && busy.every((r) => r.at >= minuteOf(load.fromMs) && r.at <= minuteOf(load.toMs)), `busy minutes ${busy.map((r) => new Date(r.at).toISOString()).join(', ')}, load ${new Date(load.fromMs).toISOString()} to ${new Date(load.toMs).toISOString()}`);
    // Before Prometheus scraped the workers there is no counter: empty cells, never zeros.
    const before = rows.filter((r) => r.at + MINUTE <= minuteOf(promStartedMs));
    assert.ok(before.length > 0, 'minutes before Prometheus started are in the period');
    assert.ok(before.every((r) => r.worker_attempts === undefined && r.worker_retries === undefined), 'no worker counters before Prometheus scraped');
  });

  it('names a query Prometheus refuses, in one line with exit code 2, and never the token', async () => {
    const res = await run(process.execPath, [main, 'export', `--group=${group}`, '--since=10m', `--prometheus-url=${prom.url}`, '--prometheus-selector=job=~"("'], {
      env: { ...process.env, AWS_REGION: REGION, PROMETHEUS_BEARER_TOKEN: 's3cret-token' },
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^costguard: prometheus query sum\(increase\(costguard_worker_attempts_total\{job=~"\("\}\[60s\]\)\) failed: HTTP 400: /m);
    assert.ok(!res.stderr.includes('s3cret'), 'no token in the output');
    assert.equal(res.stdout, '');
  });
});
