// CostGuard under a real Prometheus: Prometheus scrapes real costguard/worker instances and the
// operator's /metrics; the guard's Prometheus signal source runs its PromQL against it (no
// stand-in API); a retry storm read that way makes the guard brake; and every query of the
// chart's Grafana dashboard returns data from what Prometheus scraped.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { PrometheusServer, repoRoot } from '../../../hack/localenv/index.ts';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { prometheusSource } from '../../../src/signals/prometheus.ts';
import { testEnv } from '../../harness/env.ts';
import { REGION } from '../cloud/fixtures.ts';
import { autoscaling, group, launchTemplate } from '../cost/helpers.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, rest, waitForCondition } from '../controllers/helpers.ts';
import { WorkerFleet, workerRates } from './fleet.ts';

const WORKER_JOB = 'orders-workers';
const OPERATOR_JOB = 'costguard-operator';

interface DashboardTarget {
  expr?: string;
}
interface DashboardPanel {
  title?: string;
  type?: string;
  targets?: DashboardTarget[];
}

/** Every query of the generated dashboard, by panel title. */
function dashboardQueries(): { panel: string; expr: string }[] {
  const file = join(repoRoot, 'charts', 'costguard', 'dashboards', 'costguard-incident.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: DashboardPanel[] };
  return (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '', expr: t.expr ?? '' })));
}

/** What Grafana does to a query before sending it: its variables and built-in intervals. */
function substitute(expr: string, vars: Record<string, string>): string {
  const out = expr.replace(/\$(__rate_interval|__range|__interval|[a-z_]+)\b/g, (whole, name: string) => vars[name] ?? whole);
  assert.doesNotMatch(out, /\$/, `a variable is left in ${out}`);
  return out;
}

describe('prometheus: a real server scraping the workers and the operator', function () {
  this.timeout(180_000);
  const fleet = new WorkerFleet();
  const dir = mkdtempSync(join(tmpdir(), 'costguard-prom-'));
  const prom = new PrometheusServer(dir);
  let operator: RunningOperator | undefined;
  let ns: string;

  const scaleDeployment = async (replicas: number): Promise<void> => {
    const path = objectPath(Resources.deployments, ns, 'orders');
    await rest().patch(path, { spec: { replicas } }, ContentType.mergePatch);
    // No controller manager here: the test plays it and reports the replicas as running.
    await rest().patch(`${path}/status`, { status: { replicas, readyReplicas: replicas } }, ContentType.mergePatch);
  };

  before(async function () {
    this.timeout(90_000);
    await installCrds();
    ns = await createNamespace('prom');
    await launchTemplate(`${ns}-lt`, 'm5.large');
    await group({ AutoScalingGroupName: `${ns}-asg`, LaunchTemplate: { LaunchTemplateName: `${ns}-lt` }, MinSize: 0, MaxSize: 40, DesiredCapacity: 4 });
    await rest().create(collectionPath(Resources.deployments, ns), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'orders' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'w', image: 'worker' }] } } },
    });
    await scaleDeployment(4);
    await fleet.start(3);
    operator = await startOperator({
      config: testConfig(ns, ['--resync-period=1s']),
      kubeConfig: testEnv().kubeConfig,
      defaultRegion: REGION,
      log: testLogger(),
      runawaySampleIntervalMs: 1000,
    });
    const operatorTarget = new URL(operator.manager.endpoints!.metricsUrl!).host;
    // Kubernetes discovery would label the workers' series with their namespace; static targets say it.
    await prom.start([
      { job: WORKER_JOB, targets: fleet.targets, labels: { namespace: ns } },
      { job: OPERATOR_JOB, targets: [operatorTarget] },
    ]);
  });

  after(async () => {
    await operator?.stop();
    await fleet.stop();
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes every worker and the operator', async () => {
    const up = await eventually('every target scraped', async () => {
      const series = await prom.query('up == 1');
      return series.length === fleet.workers.length + 1 ? series : undefined;
    }, 30_000, 250);
    assert.deepEqual(up.filter((s) => s.metric.job === WORKER_JOB).map((s) => s.metric.instance).sort(), [...fleet.targets].sort());
    assert.equal(up.filter((s) => s.metric.job === OPERATOR_JOB).length, 1);
    // The operator's own registry over HTTP: its runtime series are there before any guard exists.
    const names = (await prom.query(`count by (__name__) ({job="${OPERATOR_JOB}", __name__=~"costguard_.+"})`)).map((s) => s.metric.__name__);
    assert.ok(names.includes('costguard_workqueue_depth'), names.join(', '));
  });

  it('the Prometheus signal source reads the workers\' retry share from real PromQL', async () => {
    fleet.load.jobsPerTick = 10;
    fleet.load.failShare = 0.5;
    const source = prometheusSource({ url: prom.url, ...workerRates(ns) });
    // Each tick, 5 of 10 first attempts fail and are retried: retries are 5 of 15 attempts.
    const read = await eventually('a steady retry share', async () => {
      const v = await source.read({ nowMs: Date.now(), intervalSeconds: 1 });
      const share = (v.worker_retries ?? 0) / (v.worker_attempts ?? Infinity);
      return Math.abs(share - 1 / 3) < 0.04 ? v : undefined;
    }, 30_000, 500);
    // 3 workers × 10 jobs per 100 ms: 300 useful completions a second, whatever the retries.
    assert.equal(fleet.successesPerSecond, 300);
    assert.ok(Math.abs(read.worker_successes! - 300) < 45, `successes per second ${read.worker_successes}`);
    // A query over no series is no data, not zero.
    const none = await prometheusSource({ url: prom.url, retries: 'sum(rate(costguard_worker_retries_total{namespace="nowhere"}[5s]))' }).read({ nowMs: Date.now(), intervalSeconds: 1 });
    assert.deepEqual(none, {});
    // PromQL Prometheus refuses is a failing source, with Prometheus's own message.
    await assert.rejects(prometheusSource({ url: prom.url, retries: 'sum(rate(' }).read({ nowMs: Date.now(), intervalSeconds: 1 }), /prometheus query to http:\/\/127\.0\.0\.1:\d+\S* failed: HTTP 400: .*parse error/);
  });

  it('a retry storm read from Prometheus makes the guard brake; every dashboard query returns data', async () => {
    fleet.load.failShare = 0;
    const signals = { prometheus: { url: prom.url, ...workerRates(ns) } };
    await fleet.steadyIn(prom, signals.prometheus.throughput);
    await createGuard(ns, 'orders', {
      mode: 'Enforce',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 40 }],
      workloads: [{ kind: 'Deployment', name: 'orders', maxReplicas: 50 }],
      concurrency: { workload: { kind: 'Deployment', name: 'orders' }, fleetMax: 60, perReplicaMax: 8 },
      cost: {},
      runaway: { signals, retryBudgetPercent: 10, action: 'Freeze', cooldown: '10m' },
    });
    await waitForCondition(ns, 'orders', { type: 'RunawaySuspected', status: 'False', reason: 'NoLoop' }, 30_000);
    const watched = (await getGuard(ns, 'orders')).status?.conditions?.find((c) => c.type === 'RunawayWatched');
    assert.equal(watched?.status, 'True', watched?.message);
    assert.match(watched?.message ?? '', /prometheus/);

    // The loop: capacity up while the workers' retries climb and useful throughput stays flat.
    let capacity = 4;
    let evidence: string[] = [];
    const engaged = await eventually('the brake engages', async () => {
      if (capacity < 31) {
        capacity += 3;
        fleet.load.failShare = Math.min(0.9, fleet.load.failShare + 0.12);
        await autoscaling().send(new SetDesiredCapacityCommand({ AutoScalingGroupName: `${ns}-asg`, DesiredCapacity: capacity }));
        await scaleDeployment(capacity);
      }
      const g = await getGuard(ns, 'orders');
      evidence = g.status?.runaway?.evidence ?? [];
      return g.status?.brake ? g : undefined;
    }, 90_000, 1200).catch((err: Error) => {
      throw new Error(`${err.message}; the detector's last evidence: ${evidence.join(' | ')}`);
    });
    assert.equal(engaged.status?.runaway?.state, 'Braking');
    assert.match(engaged.status?.runaway?.evidence?.join('\n') ?? '', /worker retries\/attempts \d+ %→\d+ %/);

    const vars = { namespace: ns, name: 'orders', worker_job: WORKER_JOB, datasource: 'prometheus', __rate_interval: '10s', __interval: '5s', __range: '5m' };
    const queries = dashboardQueries();
    assert.ok(queries.length >= 15, `${queries.length} dashboard queries`);
    for (const q of queries) {
      const expr = substitute(q.expr, vars);
      await eventually(`data for "${q.panel}": ${expr}`, async () => (await prom.query(expr)).length > 0, 20_000, 500);
    }
    // The Now row shows the incident as it is: brake on, a loop suspected, an alert fired, and
    // the hourly cost below its worst case.
    const value = async (expr: string): Promise<number> => (await prom.query(substitute(expr, vars)))[0]?.value ?? NaN;
    await eventually('the brake and the alert in Prometheus', async () =>
      (await value('max(costguard_brake_engaged{namespace="$namespace", name="$name"})')) === 1 &&
      (await value('max(costguard_runaway_suspected{namespace="$namespace", name="$name"})')) === 1 &&
      (await value('sum(costguard_alerts_fired_total{namespace="$namespace", name="$name"})')) >= 1, 20_000, 500);
    const now = await value('max(costguard_cost_estimated_hourly_usd{namespace="$namespace", name="$name"})');
    const worst = await value('max(costguard_cost_worst_case_hourly_usd{namespace="$namespace", name="$name"})');
    assert.ok(now > 0 && worst >= now, `$/h ${now}, worst case ${worst}`);
  });
});
