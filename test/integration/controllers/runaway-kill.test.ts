// kill -9 of the operator mid-brake: the process dies without any cleanup; a new one resumes
// the brake from status (originals intact), and releases it once the signals recover.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { createGroups, directClient } from '../cloud/fixtures.ts';
import { operatorProcess } from './operator-process.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds } from './helpers.ts';

describe('runaway: kill -9 mid-brake', function () {
  this.timeout(120_000);
  const aws = directClient();
  const rates: Record<string, number> = { retries: 1, attempts: 100, throughput: 99 };
  let prom: Server;
  let promUrl: string;
  let ns: string;
  let child: ChildProcess | undefined;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('runaway-kill');
    prom = createServer((req, res) => {
      const v = rates[new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? ''];
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: v === undefined ? [] : [{ value: [0, String(v)] }] } }));
    });
    await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
    promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
    await createGroups(aws, [{ name: `${ns}-asg`, maxSize: 30, desired: 3 }]);
  });

  after(() => {
    child?.kill('SIGKILL');
    prom?.close();
  });

  it('resumes the brake from status after SIGKILL and still releases it', async () => {
    child = await operatorProcess(ns);
    await createGuard(ns, 'kill', {
      mode: 'Enforce',
      scalingGroups: [{ name: `${ns}-asg`, maxSize: 30 }],
      runaway: { signals: { prometheus: { url: promUrl, retries: 'retries', attempts: 'attempts', throughput: 'throughput' } }, action: 'Freeze', cooldown: '4s' },
    });
    await eventually('a baseline verdict', async () => (await getGuard(ns, 'kill')).status?.conditions?.some((c) => c.type === 'RunawaySuspected' && c.reason === 'NoLoop'), 30_000, 200);
    let capacity = 3;
    const braking = await eventually(
      'the brake engages',
      async () => {
        capacity = Math.min(28, capacity + 3);
        rates.retries = Math.min(90, (rates.retries ?? 0) + 15);
        rates.attempts = 100 + rates.retries;
        await aws.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: `${ns}-asg`, DesiredCapacity: capacity }));
        const g = await getGuard(ns, 'kill');
        return g.status?.brake ? g : undefined;
      },
      60_000,
      1200,
    );
    const saved = braking.status!.brake!.saved;
    assert.equal(saved?.[0]?.original, '30');

    child.kill('SIGKILL');
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');
    const afterKill = await getGuard(ns, 'kill');
    assert.deepEqual(afterKill.status?.brake?.saved, saved, 'nothing lost at the kill');

    child = await operatorProcess(ns);
    Object.assign(rates, { retries: 1, attempts: 101, throughput: 100 });
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
