// kill -9 of the operator mid-brake: the process dies without any cleanup; a new one resumes
// the brake from status (originals intact), and releases it once the signals recover. The
// retries come from real workers scraped by a real Prometheus.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { PrometheusServer } from '../../../hack/localenv/index.ts';
import { createGroups, directClient } from '../cloud/fixtures.ts';
import { WorkerFleet, workerRates } from '../prometheus/fleet.ts';
import { operatorProcess } from './operator-process.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds } from './helpers.ts';

describe('runaway: kill -9 mid-brake', function () {
  this.timeout(120_000);
  const aws = directClient();
  // Real workers retrying (a share of first attempts fails), scraped by a real Prometheus.
  const fleet = new WorkerFleet();
  const promDir = mkdtempSync(join(tmpdir(), 'costguard-prom-'));
  const prom = new PrometheusServer(promDir);
  let signals: { url: string; retries: string; attempts: string; throughput: string };
  let ns: string;
  let child: ChildProcess | undefined;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('runaway-kill');
    await fleet.start(3);
    await prom.start([{ job: 'kill-workers', targets: fleet.targets, labels: { namespace: ns } }]);
    signals = { url: prom.url, ...workerRates(ns) };
    await fleet.steadyIn(prom, signals.throughput);
    await createGroups(aws, [{ name: `${ns}-asg`, maxSize: 30, desired: 3 }]);
  });

  after(async () => {
    child?.kill('SIGKILL');
    await fleet.stop();
    await prom.stop();
    rmSync(promDir, { recursive: true, force: true });
  });

  it('resumes the brake from status after SIGKILL and still releases it', async () => {
    child = await operatorProcess(ns);
    await createGuard(ns, 'kill', {
      mode: 'Enforce',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 30 }],
      runaway: { signals: { prometheus: signals }, action: 'Freeze', cooldown: '4s' },
    });
    await eventually('a baseline verdict', async () => (await getGuard(ns, 'kill')).status?.conditions?.some((c) => c.type === 'RunawaySuspected' && c.reason === 'NoLoop'), 30_000, 200);
    let capacity = 3;
    let evidence: string[] = [];
    const braking = await eventually(
      'the brake engages',
      async () => {
        capacity = Math.min(28, capacity + 3);
        fleet.load.failShare = Math.min(0.9, fleet.load.failShare + 0.15);
        await aws.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: `${ns}-asg`, DesiredCapacity: capacity }));
        const g = await getGuard(ns, 'kill');
        evidence = g.status?.runaway?.evidence ?? [];
        return g.status?.brake ? g : undefined;
      },
      60_000,
      1200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the detector's last evidence: ${evidence.join(' | ')}`);
    });
    const saved = braking.status!.brake!.saved;
    assert.equal(saved?.[0]?.original, '30');

    child.kill('SIGKILL');
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');
    const afterKill = await getGuard(ns, 'kill');
    assert.deepEqual(afterKill.status?.brake?.saved, saved, 'nothing lost at the kill');

    child = await operatorProcess(ns);
    fleet.load.failShare = 0;
    const seen = new Set<string>();
    const released = await eventually(
      'the restarted operator releases the brake',
      async () => {
        const g = await getGuard(ns, 'kill');
        seen.add(g.status?.runaway?.state ?? '');
        if (g.status?.brake) assert.deepEqual(g.status.brake.saved, saved, 'the originals survive the restart');
        return g.status?.brake === undefined && g.status?.runaway?.state === 'Normal' ? g : undefined;
      },
      60_000,
      100,
    );
    assert.ok(seen.has('Recovering'), `released in steps: saw ${[...seen].join(', ')}`);
    assert.equal((released.status?.holds ?? []).filter((h) => h.owner === 'runaway').length, 0);
  });
});
