// The runaway brake end to end against a real API server and moto: a scripted loop drives an
// Auto Scaling group and a Deployment up while retries climb (real costguard/worker instances
// retrying, scraped by a real Prometheus the guard queries); the guard suspects the loop, freezes both at current capacity through
// status.holds and status.brake, survives an operator restart mid-brake with its originals,
// and once the signals recover releases in steps, lifts every hold and resolves.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PrometheusServer } from '../../../hack/localenv/index.ts';
import type { Alert, Notifier, RecordOptions } from '../../../src/alerting/notifier.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from '../cloud/fixtures.ts';
import { WorkerFleet, workerRates } from '../prometheus/fleet.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, rest, waitForCondition, waitForEvents } from './helpers.ts';
import { createKedaHpa, createScaledJob, createScaledJobJob, createScaledObject, setHpaReplicas } from './peer-objects.ts';

/** Records what the brake asks of the notifier; every call is level-triggered, so repeats are expected. */
class RecordingNotifier implements Notifier {
  readonly fired: Alert[] = [];
  readonly resolved: string[] = [];
  fire(_guard: CostGuard, alert: Alert, opts?: RecordOptions): Promise<void> {
    assert.equal(opts?.mustRecord, true, 'the brake records its alert before its status');
    this.fired.push(alert);
    return Promise.resolve();
  }
  resolve(_guard: CostGuard, _incident: string, summary: string): Promise<void> {
    this.resolved.push(summary);
    return Promise.resolve();
  }
}

describe('runaway: detection and the staged brake', function () {
  this.timeout(120_000);
  const aws = directClient();
  const notifier = new RecordingNotifier();
  // The workers' retry share is the share of first attempts that fail (each is retried).
  const fleet = new WorkerFleet();
  const promDir = mkdtempSync(join(tmpdir(), 'costguard-prom-'));
  const prom = new PrometheusServer(promDir);
  let signals: { url: string; retries: string; attempts: string; throughput: string };
  let ns: string;
  let operator: RunningOperator | undefined;
  let queueUrl: string;

  const start = async (): Promise<RunningOperator> =>
    startOperator({
      config: testConfig(ns, ['--resync-period=1s']),
      kubeConfig: testEnv().kubeConfig,
      defaultRegion: REGION,
      log: testLogger(),
      notifier,
      runawaySampleIntervalMs: 1000,
    });

  const scaleDeployment = async (name: string, replicas: number): Promise<void> => {
    const path = objectPath(Resources.deployments, ns, name);
    await rest().patch(path, { spec: { replicas } }, ContentType.mergePatch);
    // No controller manager here: the test plays it and reports the replicas as running.
    await rest().patch(`${path}/status`, { status: { replicas, readyReplicas: replicas } }, ContentType.mergePatch);
    // KEDA scales the same workload: its HPA (what KEDA made for the ScaledObject) reports it.
    await setHpaReplicas(ns, 'keda-hpa-orders', replicas);
  };

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('runaway');
    await fleet.start(3);
    await prom.start([{ job: 'orders-workers', targets: fleet.targets, labels: { namespace: ns } }]);
    signals = { url: prom.url, ...workerRates(ns) };
    // The guard's baseline must be the fleet's steady throughput, not a rate still warming up.
    await fleet.steadyIn(prom, signals.throughput);
    const sqs = new SQSClient({ region: REGION });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${ns}-orders` }))).QueueUrl!;
    sqs.destroy();
    await createGroups(aws, [{ name: `${ns}-asg`, maxSize: 40, desired: 4 }]);
    await rest().create(collectionPath(Resources.deployments, ns), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'orders' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'w', image: 'worker' }] } } },
    });
    await createScaledObject(ns, 'orders', { maxReplicaCount: 50 });
    await createKedaHpa(ns, 'orders', { maxReplicas: 50, currentReplicas: 4 });
    // SQS workers run as Jobs too: three running (no Job controller here, so they stay running).
    await createScaledJob(ns, 'orders-jobs', { maxReplicaCount: 50 });
    for (const job of ['orders-jobs-a', 'orders-jobs-b', 'orders-jobs-c']) await createScaledJobJob(ns, 'orders-jobs', job);
    await scaleDeployment('orders', 4);
    operator = await start();
  });

  after(async () => {
    await operator?.stop();
    await fleet.stop();
    await prom.stop();
    rmSync(promDir, { recursive: true, force: true });
  });

  it('a Prometheus it cannot reach makes RunawaySuspected Unknown, naming the source, the URL and the cause; Ready does not say all checks pass', async () => {
    // A port that was just served and is closed now: connections are refused.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dead = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    await new Promise((r) => server.close(r));
    await createGuard(ns, 'blind', {
      mode: 'DryRun',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 40 }],
      runaway: { signals: { prometheus: { url: dead.url, retries: 'retries', attempts: 'attempts', throughput: 'throughput' } }, action: 'Alert' },
    });
    const guard = await waitForCondition(ns, 'blind', { type: 'RunawaySuspected', status: 'Unknown', reason: 'SignalsFailing' });
    const message = guard.status?.conditions?.find((c) => c.type === 'RunawaySuspected')?.message ?? '';
    assert.ok(message.startsWith(`Cannot tell (failing: prometheus: prometheus query to ${dead.url}/api/v1/query failed: fetch failed: `), message);
    assert.match(message, /ECONNREFUSED/);
    assert.notEqual(guard.status?.conditions?.find((c) => c.type === 'Ready')?.message, 'All checks pass.');
  });

  it('freezes a runaway loop, survives a restart, releases in steps and resolves', async () => {
    // A DryRun guard on the same targets and signals: it must only say what it would do.
    await createGuard(ns, 'audit', {
      mode: 'DryRun',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 40 }],
      runaway: { signals: { prometheus: signals }, action: 'Freeze' },
    });
    await createGuard(ns, 'orders', {
      mode: 'Enforce',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 40 }],
      workloads: [
        { kind: 'Deployment', name: 'orders', maxReplicas: 50 },
        { kind: 'ScaledObject', name: 'orders', maxReplicas: 50 },
        { kind: 'ScaledJob', name: 'orders-jobs', maxReplicas: 50 },
      ],
      runaway: {
        signals: { sqs: { queueUrl }, prometheus: signals },
        retryBudgetPercent: 10,
        action: 'Freeze',
        cooldown: '4s',
      },
    });
    // Healthy first: the section works and the detector has a baseline.
    await waitForCondition(ns, 'orders', { type: 'RunawaySuspected', status: 'False', reason: 'NoLoop' });
    const watching = await getGuard(ns, 'orders');
    assert.equal(watching.status?.conditions?.find((c) => c.type === 'RunawayWatched')?.status, 'True');
    assert.match(watching.status?.conditions?.find((c) => c.type === 'RunawayWatched')?.message ?? '', /capacity, sqs, cloudwatch, prometheus/);

    // The loop: capacity up, retries up past budget, useful throughput flat. Target tracking,
    // played, never asks past MaxSize (as AWS); every desired capacity the group had is kept,
    // so a fall means AWS took instances back after a write below what ran.
    let capacity = 4;
    let evidence: string[] = [];
    const desiredSeen: number[] = [];
    const watchGroup = async (): Promise<{ desired: number; maxSize: number }> => {
      const g = await readGroup(aws, `${ns}-asg`);
      desiredSeen.push(g?.DesiredCapacity ?? 0);
      return { desired: g?.DesiredCapacity ?? 0, maxSize: g?.MaxSize ?? 0 };
    };
    const engaged = await eventually(
      'the brake engages',
      async () => {
        const g = await getGuard(ns, 'orders');
        evidence = g.status?.runaway?.evidence ?? [];
        // A brake in status wakes the actuator, which reads the group live and then writes.
        // AWS has no conditional write: a scale-out that lands between that read and the
        // write is clipped by the new MaxSize (docs/operations.md). The played autoscaler
        // stops here instead of racing the one write this test checks.
        if (g.status?.brake) return g;
        const group = await watchGroup();
        if (capacity < 30) {
          capacity = Math.min(group.maxSize, capacity + 3);
          fleet.load.failShare = Math.min(0.9, fleet.load.failShare + 0.12);
          await aws.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: `${ns}-asg`, DesiredCapacity: capacity }));
          await scaleDeployment('orders', capacity);
        }
        return undefined;
      },
      60_000,
      1200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the detector's last evidence: ${evidence.join(' | ')}`);
    });
    const brake = engaged.status!.brake!;
    assert.equal(brake.action, 'Freeze');
    assert.equal(engaged.status?.runaway?.state, 'Braking');
    assert.match(engaged.status?.runaway?.evidence?.join('\n') ?? '', /^capacity \d+→\d+ \(\+\d+ %\) in /m);
    assert.match(engaged.status?.runaway?.evidence?.join('\n') ?? '', /worker retries\/attempts \d+ %→\d+ %/);
    const saved = Object.fromEntries((brake.saved ?? []).map((s) => [s.target, s]));
    assert.equal(saved[`asg/${ns}-asg`]?.original, '40');
    // A Deployment's ceiling field is spec.replicas itself: frozen at what runs now.
    assert.equal(saved['Deployment/orders']?.field, 'spec.replicas');
    assert.equal(saved['Deployment/orders']?.original, saved['Deployment/orders']?.held);
    const holds = Object.fromEntries((engaged.status?.holds ?? []).filter((h) => h.owner === 'runaway').map((h) => [h.target, h.value]));
    const sampled = holds[`asg/${ns}-asg`]!;
    assert.equal(String(sampled), saved[`asg/${ns}-asg`]?.held);
    assert.ok(holds['Deployment/orders']! > 4);
    // KEDA's kinds are frozen too: a ScaledObject at the replicas its HPA runs, a ScaledJob at its running Jobs.
    assert.equal(saved['ScaledObject/orders']?.original, '50');
    assert.ok(Number(saved['ScaledObject/orders']?.held) > 4 && Number(saved['ScaledObject/orders']?.held) < 50, `ScaledObject held at ${saved['ScaledObject/orders']?.held}`);
    assert.deepEqual([saved['ScaledJob/orders-jobs']?.original, saved['ScaledJob/orders-jobs']?.held], ['50', '3']);
    assert.equal(holds['ScaledJob/orders-jobs'], 3);
    const maxReplicaCount = async (resource: typeof Resources.kedaScaledJobs | typeof Resources.kedaScaledObjects, name: string): Promise<number | undefined> =>
      (await rest().get<{ spec?: { maxReplicaCount?: number } }>(objectPath(resource, ns, name))).spec?.maxReplicaCount;
    await eventually('the ScaledJob frozen at 3', async () => (await maxReplicaCount(Resources.kedaScaledJobs, 'orders-jobs')) === 3);
    await eventually('the ScaledObject frozen below 50', async () => ((await maxReplicaCount(Resources.kedaScaledObjects, 'orders')) ?? 50) < 50);
    // The ceilings actuator applies the hold, resolved at write time: never below the desired
    // capacity the group had then (the sample may trail target tracking), never above the ceiling.
    const frozen = await eventually('the group frozen', async () => {
      const g = await watchGroup();
      return g.maxSize < 40 ? g : undefined;
    });
    const frozenAsg = frozen.maxSize;
    assert.ok(frozenAsg >= sampled && frozenAsg >= frozen.desired, `froze at ${frozenAsg} (sampled ${sampled}, desired ${frozen.desired})`);
    assert.equal(frozen.desired, capacity, 'every instance target tracking asked for still runs');
    assert.deepEqual(desiredSeen, [...desiredSeen].sort((a, b) => a - b), `no scale-in: desired ${desiredSeen.join(',')}`);
    assert.equal((await readGroup(aws, `${ns}-asg`))?.Tags?.find((t) => t.Key === 'costguard.io/original-max-size')?.Value, '40', 'original recorded on the group');
    assert.equal(engaged.status?.conditions?.find((c) => c.type === 'BrakeEngaged')?.status, 'True');
    assert.equal(engaged.status?.conditions?.find((c) => c.type === 'RunawaySuspected')?.status, 'True');
    await waitForEvents(ns, 'orders', 'BrakeEngaged');
    assert.ok(notifier.fired.some((a) => a.incident === 'runaway' && /Froze asg\//.test(a.actions[0] ?? '')));
    const metrics = await operator!.manager.metrics.registry.metrics();
    assert.match(metrics, new RegExp(`costguard_brake_engaged\\{namespace="${ns}",name="orders"\\} 1`));
    assert.match(metrics, new RegExp(`costguard_runaway_suspected\\{namespace="${ns}",name="orders"\\} 1`));

    const audit = await eventually('the DryRun guard suspects the loop', async () => {
      const g = await getGuard(ns, 'audit');
      return g.status?.runaway?.state === 'Suspected' ? g : undefined;
    });
    assert.equal(audit.status?.brake, undefined);
    assert.equal(audit.status?.holds, undefined);
    // What it would do is read from the group as it is: at 40, or already at the freeze the
    // other guard applied if it suspects the loop after that write.
    const wouldFreeze = new RegExp(`^DryRun: would freeze asg/${ns}-asg MaxSize (\\d+)→\\d+`).exec(audit.status?.runaway?.evidence?.at(-1) ?? '');
    assert.ok(wouldFreeze && [40, frozenAsg].includes(Number(wouldFreeze[1])), `DryRun evidence: ${audit.status?.runaway?.evidence?.at(-1)}`);
    assert.equal(audit.status?.conditions?.find((c) => c.type === 'BrakeEngaged')?.reason, 'DryRun');

    // Restart mid-brake: the new operator starts with an empty window and resumes from status.
    await operator!.stop();
    operator = await start();
    await eventually('the restarted operator samples', async () => (await operator!.manager.metrics.registry.metrics()).includes(`costguard_runaway_score{namespace="${ns}",name="orders"}`));
    const resumed = await getGuard(ns, 'orders');
    assert.deepEqual(resumed.status?.brake?.saved, brake.saved, 'originals survive the restart');
    assert.equal(resumed.status?.runaway?.state, 'Braking');

    // Recovery: retries back within budget. After the cooldown the holds rise in steps.
    fleet.load.failShare = 0;
    const stepped = await eventually('a release step', async () => {
      const g = await getGuard(ns, 'orders');
      return g.status?.runaway?.state === 'Recovering' ? g : undefined;
    }, 60_000, 100);
    const stepHold = stepped.status?.holds?.find((h) => h.owner === 'runaway' && h.target === `asg/${ns}-asg`)?.value;
    assert.ok(stepHold !== undefined && stepHold > frozenAsg && stepHold < 40, `step hold ${stepHold}`);
    const released = await eventually('the brake is released', async () => {
      const g = await getGuard(ns, 'orders');
      return g.status?.brake === undefined && g.status?.runaway?.state === 'Normal' ? g : undefined;
    }, 60_000, 200);
    assert.equal((released.status?.holds ?? []).filter((h) => h.owner === 'runaway').length, 0);
    await eventually('the group back at its original MaxSize', async () => (await readGroup(aws, `${ns}-asg`))?.MaxSize === 40);
    await eventually('the ScaledJob back at 50', async () => (await maxReplicaCount(Resources.kedaScaledJobs, 'orders-jobs')) === 50);
    await eventually('the ScaledObject back at 50', async () => (await maxReplicaCount(Resources.kedaScaledObjects, 'orders')) === 50);
    assert.equal(released.status?.conditions?.find((c) => c.type === 'BrakeEngaged')?.status, 'False');
    await waitForEvents(ns, 'orders', 'BrakeReleased');
    assert.ok(notifier.resolved.some((s) => /released in 4 steps/.test(s)));
    assert.ok(notifier.fired.length > 1, 'FIRING is ensured on every reconcile while the brake holds (the outbox dedupes)');
  });
});
