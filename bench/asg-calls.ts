// Issue "ceilings" benchmark: 1,000 Auto Scaling groups across 200 guards in moto. AWS calls
// and time per resync cycle for three ways of observing them, side by side in one run:
// CostGuard's shared snapshot, one batched call per guard, and one call per group (naive).
// Then the real operator (DryRun, its own process) end to end, counted at a proxy.
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import { Registry } from 'prom-client';
import { AwsClients } from '../src/cloud/aws/clients.ts';
import { awsScalingGroups } from '../src/cloud/aws/autoscaling.ts';
import type { ScalingGroups } from '../src/cloud/scaling-groups.ts';
import { GroupSnapshots } from '../src/controllers/targets/group-snapshots.ts';
import { systemClock } from '../src/runtime/clock.ts';
import type { RestClient } from '../src/runtime/kube/rest.ts';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import { createGroups, directClient } from '../test/integration/cloud/fixtures.ts';
import { createGuards, waitAllReconciled } from './kube.ts';
import { OperatorProcess } from './operator-process.ts';
import type { Figure } from './figures.ts';

const GROUPS = 1000;
const GUARDS = 200;
const CONCURRENCY = 4; // the operator's default --max-concurrent-reconciles
const REGION = 'us-east-1';

export interface StrategyResult {
  strategy: string;
  describeCallsPerCycle: number;
  groupsPerCall: number;
  msPerCycle: number;
}

export interface AsgCallsResult {
  groups: number;
  guards: number;
  strategies: StrategyResult[];
  operatorDescribeCallsPerCycle: number;
  operatorResyncSeconds: number;
}

const names = Array.from({ length: GROUPS }, (_, i) => `bench-asg-${String(i).padStart(4, '0')}`);
const guardNames = Array.from({ length: GUARDS }, (_, g) => names.slice(g * (GROUPS / GUARDS), (g + 1) * (GROUPS / GUARDS)));

type Strategy = { name: string; cycle: (port: ScalingGroups) => Promise<unknown> };

const STRATEGIES: Strategy[] = [
  {
    name: 'shared snapshot (CostGuard)',
    cycle: (port) => {
      const snapshots = new GroupSnapshots({ clock: systemClock, maxAgeMs: 30_000, scalingGroups: () => port, namesFor: () => names });
      const limit = pLimit(CONCURRENCY);
      return Promise.all(guardNames.map((n) => limit(() => snapshots.describe({ region: REGION }, n))));
    },
  },
  {
    name: 'one batched call per guard',
    cycle: (port) => {
      const limit = pLimit(CONCURRENCY);
      return Promise.all(guardNames.map((n) => limit(() => port.describe(n))));
    },
  },
  {
    name: 'one call per group (naive)',
    cycle: (port) => {
      const limit = pLimit(CONCURRENCY);
      return Promise.all(names.map((n) => limit(() => port.describe([n]))));
    },
  },
];

async function measure(strategy: Strategy, port: ScalingGroups, proxy: FaultProxy, rounds = 3): Promise<StrategyResult> {
  const times: number[] = [];
  let calls = 0;
  for (let r = 0; r < rounds; r++) {
    proxy.reset();
    const t0 = performance.now();
    await strategy.cycle(port);
    times.push(performance.now() - t0);
    calls = proxy.count('DescribeAutoScalingGroups');
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  return { strategy: strategy.name, describeCallsPerCycle: calls, groupsPerCall: GROUPS / calls, msPerCycle: Math.round(ms) };
}

async function endToEnd(rest: RestClient, env: Record<string, string>, proxy: FaultProxy, kubectl: (args: string[]) => Promise<string>): Promise<number> {
  const ns = 'bench-asg';
  const resync = 10;
  await kubectl(['create', 'namespace', ns]);
  const op = await OperatorProcess.start([`--namespaces=${ns}`, `--resync-period=${resync}s`], { ...env, AWS_ENDPOINT_URL: proxy.endpoint });
  try {
    await createGuards(rest, ns, guardNames.map((n) => ({ mode: 'DryRun', scalingGroups: n.map((name) => ({ name, maxSize: 3 })) })));
    await waitAllReconciled(rest, ns, GUARDS, 120_000);
    await delay(resync * 1000);
    proxy.reset();
    await delay(3 * resync * 1000);
    return proxy.count('DescribeAutoScalingGroups') / 3;
  } finally {
    await op.stop();
  }
}

export async function asgCalls(rest: RestClient, env: Record<string, string>, kubectl: (args: string[]) => Promise<string>): Promise<AsgCallsResult> {
  await createGroups(directClient(), names.map((name) => ({ name, maxSize: 10, desired: 1 })));
  const proxy = await FaultProxy.start(env.AWS_ENDPOINT_URL!);
  const clients = new AwsClients({ registry: new Registry(), endpoint: proxy.endpoint });
  try {
    const port = awsScalingGroups(clients, { region: REGION });
    const strategies: StrategyResult[] = [];
    for (const s of STRATEGIES) strategies.push(await measure(s, port, proxy));
    const operatorDescribeCallsPerCycle = await endToEnd(rest, env, proxy, kubectl);
    return { groups: GROUPS, guards: GUARDS, strategies, operatorDescribeCallsPerCycle, operatorResyncSeconds: 10 };
  } finally {
    clients.shutdown();
    await proxy.close();
  }
}

/** The figures of one run: CostGuard's way beside the naive and the per-guard ways, same run. */
export function asgCallsFigures(r: AsgCallsResult): Figure[] {
  const bench = 'asg-calls';
  const [snapshot, perGuard, naive] = r.strategies;
  if (!snapshot || !perGuard || !naive) throw new Error('asg-calls: expected three strategies');
  const groups = r.groups.toLocaleString('en-US');
  return [
    {
      id: 'asg.describe_calls_per_cycle',
      bench,
      name: `DescribeAutoScalingGroups calls per cycle, ${groups} groups, shared snapshot`,
      value: snapshot.describeCallsPerCycle,
      unit: 'calls',
      baseline: { name: naive.strategy, value: naive.describeCallsPerCycle },
      target: `at most ${r.groups / 100} (100 groups per call)`,
    },
    {
      id: 'asg.describe_calls_per_cycle_vs_per_guard',
      bench,
      name: 'DescribeAutoScalingGroups calls per cycle, shared snapshot vs batching per guard',
      value: snapshot.describeCallsPerCycle,
      unit: 'calls',
      baseline: { name: perGuard.strategy, value: perGuard.describeCallsPerCycle },
    },
    {
      id: 'asg.ms_per_cycle',
      bench,
      name: `one cycle's observation of ${groups} groups, shared snapshot`,
      value: snapshot.msPerCycle,
      unit: 'ms',
      baseline: { name: naive.strategy, value: naive.msPerCycle },
    },
    {
      id: 'asg.operator_calls_per_cycle',
      bench,
      name: `the operator end to end (DryRun, resync ${r.operatorResyncSeconds} s): Describe calls per cycle`,
      value: r.operatorDescribeCallsPerCycle,
      unit: 'calls',
      baseline: { name: naive.strategy, value: naive.describeCallsPerCycle },
      target: `at most ${r.groups / 100}`,
    },
  ];
}

export async function benchAsgCalls(rest: RestClient, env: Record<string, string>, kubectl: (args: string[]) => Promise<string>): Promise<Figure[]> {
  return asgCallsFigures(await asgCalls(rest, env, kubectl));
}
