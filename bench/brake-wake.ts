// How long a new hold waits before the actuator writes it, at the default 30 s resync: a hold
// written to status.holds (what the brake, the fleet breaker and the cost cap do) until the
// group's MaxSize changes in moto. Side by side in one run: the actuator woken by the hold
// (today) and the actuator left to its resync (before holds woke it). Goal: under 2 s.
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { startOperator } from '../src/cli/operator.ts';
import { parseConfig } from '../src/runtime/index.ts';
import { ContentType, type RestClient } from '../src/runtime/kube/rest.ts';
import { createGroups, directClient } from '../test/integration/cloud/fixtures.ts';
import type { Figure } from './figures.ts';

const TRIALS = 5;
const CEILING = 40;

async function maxSizeOf(aws: ReturnType<typeof directClient>, name: string): Promise<number | undefined> {
  const out = await aws.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0]?.MaxSize;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check()) return performance.now() - t0;
    await delay(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** Median ms from a hold written to status until MaxSize follows, over TRIALS holds. */
async function holdToWrite(rest: RestClient, wake: boolean): Promise<number> {
  const ns = `bench-wake-${wake ? 'on' : 'off'}-${Date.now().toString(36)}`;
  const group = `${ns}-asg`;
  const aws = directClient();
  await rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await createGroups(aws, [{ name: group, maxSize: 50, desired: 4 }]);
  const { config } = parseConfig([`--namespaces=${ns}`, '--leader-elect=false', '--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=error'], {}, { hostname: ns });
  // The bench plays the brake: it writes the holds, so the runaway concern (which would take a
  // hold it did not decide off again) does not run, in either mode.
  const operator = await startOperator({ config, defaultRegion: 'us-east-1', holdsWakeActuator: wake, runawayConcern: false });
  try {
    const guardPath = `/apis/costguard.io/v1alpha1/namespaces/${ns}/costguards/guard`;
    await rest.create(`/apis/costguard.io/v1alpha1/namespaces/${ns}/costguards`, { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: 'guard' }, spec: { mode: 'Enforce', scalingGroups: [{ name: group, maxSize: CEILING }] } });
    await until('the clamp to the ceiling', async () => (await maxSizeOf(aws, group)) === CEILING, 60_000);
    const times: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const value = 30 - i;
      const hold = { owner: 'runaway', target: `asg/${group}`, value, atCurrent: true, reason: 'bench: a freeze', since: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
      await rest.patch(`${guardPath}/status`, { status: { holds: [hold] } }, ContentType.mergePatch);
      times.push(await until(`MaxSize ${value}`, async () => (await maxSizeOf(aws, group)) === value, 90_000));
      // Spread the trials over the resync so the baseline samples its whole range.
      await delay(7_000);
    }
    return times.sort((a, b) => a - b)[Math.floor(TRIALS / 2)]!;
  } finally {
    await operator.stop();
    aws.destroy();
  }
}

export async function benchBrakeWake(rest: RestClient): Promise<Figure[]> {
  const woken = await holdToWrite(rest, true);
  const resync = await holdToWrite(rest, false);
  return [
    {
      id: 'brake.hold_to_write_s',
      bench: 'brake-wake',
      name: 'A new hold in status.holds → MaxSize written on the group (median of 5, default 30 s resync)',
      value: Math.round(woken) / 1000,
      unit: 's',
      baseline: { name: 'the actuator left to its resync (before holds woke it)', value: Math.round(resync) / 1000 },
      target: '< 2 s',
      note: 'The hold is written to status the way the brake writes it, by the bench playing the brake (the runaway concern does not run in either mode); the actuator re-reads the group live before it writes.',
    },
  ];
}
