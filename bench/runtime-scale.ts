// Issue "operator runtime" benchmark: 1,000 CostGuards on the test API server. Time from the
// first create to every guard reconciled (observedGeneration set) at the default client-side
// limit, beside the same with the limit lifted (a second operator, fresh namespace, same run);
// steady-state CPU per resync cycle, and the operator's RSS and heap, each beside the same
// process idle.
import { setTimeout as delay } from 'node:timers/promises';
import type { RestClient } from '../src/runtime/kube/rest.ts';
import type { Figure } from './figures.ts';
import { createGuards, waitAllReconciled } from './kube.ts';
import { OperatorProcess } from './operator-process.ts';
import { FLAGS } from '../src/runtime/config-flags.ts';

const flagDefault = (flag: string): string => FLAGS.find((f) => f.flag === flag)?.default ?? '';

export interface RuntimeScaleResult {
  guards: number;
  resyncSeconds: number;
  createToAllReconciledSeconds: number;
  /** How long the creates themselves took (the API server's share). */
  createSeconds: number;
  /** The same 1,000 creates → all reconciled with the client-side limit lifted. */
  unlimited: ReconcileRun;
  /** Every create → reconciled run, in the order run (ABBA): what the means above are of. */
  runs: Array<ReconcileRun & { lifted: boolean }>;
  /** Events the first operator dropped under its limit (costguard_kube_api_dropped_total). */
  eventsDropped: number;
  /** The default --kube-api-qps / --kube-api-burst the first operator ran with. */
  limit: { qps: number; burst: number };
  cpuSecondsPerResyncCycle: number;
  /** CPU of the idle operator over the same length of time, before any guard existed. */
  cpuSecondsPerCycleIdle: number;
  reconcilesPerResyncCycle: number;
  rssMiBIdle: number;
  rssMiBAfter: number;
  heapUsedMiBIdle: number;
  heapUsedMiBAfter: number;
  nodeFlags: string;
}

/** Idle CPU is sampled over this long and scaled to one resync period. */
const IDLE_SAMPLE_MS = 10_000;

const GUARDS = 1000;
const RESYNC_S = 30;
/** High enough that no request ever waits for a token: "the limit lifted". */
const LIFTED = ['--kube-api-qps=100000', '--kube-api-burst=100000'];
const SPEC = { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 10 }] };

type Kubectl = (args: string[], input?: string) => Promise<string>;
/** The API server and the environment an operator is started with. */
interface Peer {
  rest: RestClient;
  env: Record<string, string>;
  kubectl: Kubectl;
}

async function guardNamespace(kubectl: Kubectl, ns: string): Promise<void> {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['create', 'deployment', 'w', '--image=example.com/w:1', '--replicas=2', '-n', ns]);
}

interface ReconcileRun {
  createToAllReconciledSeconds: number;
  createSeconds: number;
}

/** Creates the guards; returns when the creates ended and when all were reconciled. */
async function createAndReconcile(rest: RestClient, ns: string): Promise<ReconcileRun> {
  const started = Date.now();
  await createGuards(rest, ns, Array.from({ length: GUARDS }, () => SPEC));
  const createSeconds = (Date.now() - started) / 1000;
  const reconciledAt = await waitAllReconciled(rest, ns, GUARDS, 10 * RESYNC_S * 1000);
  return { createToAllReconciledSeconds: (reconciledAt - started) / 1000, createSeconds };
}

/** Another operator, fresh, on a namespace of its own: create → all reconciled only. */
async function reconcileRun(peer: Peer, ns: string, lifted: boolean): Promise<ReconcileRun & { lifted: boolean }> {
  const { rest, env, kubectl } = peer;
  await guardNamespace(kubectl, ns);
  const op = await OperatorProcess.start([`--namespaces=${ns}`, `--resync-period=${RESYNC_S}s`, ...(lifted ? LIFTED : [])], env);
  try {
    await delay(2000);
    return { ...(await createAndReconcile(rest, ns)), lifted };
  } finally {
    await op.stop();
  }
}

const mean = (runs: ReconcileRun[]): ReconcileRun => ({
  createToAllReconciledSeconds: runs.reduce((s, r) => s + r.createToAllReconciledSeconds, 0) / runs.length,
  createSeconds: runs.reduce((s, r) => s + r.createSeconds, 0) / runs.length,
});

/**
 * Default limit, lifted, lifted, default (ABBA): on a shared machine whose load drifts, and an
 * API server that holds more guards with every run, neither setting always runs first.
 * The first run also measures the steady state.
 */
export async function runtimeScale(rest: RestClient, env: Record<string, string>, kubectl: Kubectl): Promise<RuntimeScaleResult> {
  const first = await defaultRun(rest, env, kubectl);
  const runs = [
    { createToAllReconciledSeconds: first.createToAllReconciledSeconds, createSeconds: first.createSeconds, lifted: false },
    await reconcileRun({ rest, env, kubectl }, 'bench-scale-lifted-1', true),
    await reconcileRun({ rest, env, kubectl }, 'bench-scale-lifted-2', true),
    await reconcileRun({ rest, env, kubectl }, 'bench-scale-2', false),
  ];
  return { ...first, ...mean(runs.filter((r) => !r.lifted)), unlimited: mean(runs.filter((r) => r.lifted)), runs };
}

async function defaultRun(rest: RestClient, env: Record<string, string>, kubectl: Kubectl): Promise<Omit<RuntimeScaleResult, 'unlimited' | 'runs'>> {
  const ns = 'bench-scale';
  await guardNamespace(kubectl, ns);
  const op = await OperatorProcess.start([`--namespaces=${ns}`, `--resync-period=${RESYNC_S}s`], env);
  try {
    await delay(2000);
    const idleCpu0 = op.cpuSeconds();
    await delay(IDLE_SAMPLE_MS);
    const cpuSecondsPerCycleIdle = ((op.cpuSeconds() - idleCpu0) * (RESYNC_S * 1000)) / IDLE_SAMPLE_MS;
    const rssMiBIdle = op.rssMiB();
    const heapUsedMiBIdle = (await op.counter('costguard_nodejs_heap_size_used_bytes')) / 2 ** 20;
    const { createToAllReconciledSeconds, createSeconds } = await createAndReconcile(rest, ns);
    const eventsDropped = await op.counter('costguard_kube_api_dropped_total');
    // Let the first cycle's follow-ups (finalizer adds) settle before measuring steady state.
    await delay(RESYNC_S * 1000);
    const cycles = 2;
    const [cpu0, rec0] = [op.cpuSeconds(), await op.counter('costguard_reconcile_total', 'controller="ceilings"')];
    await delay(cycles * RESYNC_S * 1000);
    const [cpu1, rec1] = [op.cpuSeconds(), await op.counter('costguard_reconcile_total', 'controller="ceilings"')];
    return {
      guards: GUARDS,
      resyncSeconds: RESYNC_S,
      createToAllReconciledSeconds,
      createSeconds,
      eventsDropped,
      limit: { qps: Number(flagDefault('kube-api-qps')), burst: Number(flagDefault('kube-api-burst')) },
      cpuSecondsPerResyncCycle: (cpu1 - cpu0) / cycles,
      cpuSecondsPerCycleIdle,
      reconcilesPerResyncCycle: (rec1 - rec0) / cycles,
      rssMiBIdle,
      rssMiBAfter: op.rssMiB(),
      heapUsedMiBIdle,
      heapUsedMiBAfter: (await op.counter('costguard_nodejs_heap_size_used_bytes')) / 2 ** 20,
      nodeFlags: op.nodeFlags.join(' '),
    };
  } finally {
    await op.stop();
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The figures of one run: each beside the same operator before any guard existed. */
export function runtimeFigures(r: RuntimeScaleResult): Figure[] {
  const bench = 'runtime';
  const idle = 'idle, before any guard';
  return [
    {
      id: 'runtime.create_to_reconciled_s',
      bench,
      name: `create → all ${count(r.guards)} guards reconciled (observedGeneration set), default client-side limit ${r.limit.qps} QPS / burst ${r.limit.burst}`,
      value: r.createToAllReconciledSeconds,
      unit: 's',
      baseline: { name: 'the same with the client-side limit lifted, same run', value: r.unlimited.createToAllReconciledSeconds },
      target: `within one resync period (${r.resyncSeconds} s)`,
      note: `Mean of two fresh operators each, run default, lifted, lifted, default: ${r.runs.map((x) => `${x.createToAllReconciledSeconds.toFixed(1)} s ${x.lifted ? 'lifted' : 'default'}`).join(', ')}. The ${count(r.guards)} creates alone (API server) took ${r.createSeconds.toFixed(1)} s (default runs) and ${r.unlimited.createSeconds.toFixed(1)} s (lifted). Events dropped under the limit in the first run: ${count(r.eventsDropped)}.`,
    },
    {
      id: 'runtime.cpu_s_per_resync_cycle',
      bench,
      name: `CPU per resync cycle with ${count(r.guards)} guards, steady state`,
      value: r.cpuSecondsPerResyncCycle,
      unit: 's',
      baseline: { name: `${idle}, same length of time`, value: r.cpuSecondsPerCycleIdle },
      note: `${count(Math.round(r.reconcilesPerResyncCycle))} ceilings reconciles per ${r.resyncSeconds} s cycle; node flags ${r.nodeFlags}.`,
    },
    {
      id: 'runtime.rss_mib',
      bench,
      name: `operator RSS with ${count(r.guards)} guards cached`,
      value: r.rssMiBAfter,
      unit: 'MiB',
      baseline: { name: idle, value: r.rssMiBIdle },
      target: 'under 150 MiB',
    },
    {
      id: 'runtime.heap_used_mib',
      bench,
      name: `V8 heap used with ${count(r.guards)} guards cached`,
      value: r.heapUsedMiBAfter,
      unit: 'MiB',
      baseline: { name: idle, value: r.heapUsedMiBIdle },
    },
  ];
}

export async function benchRuntime(rest: RestClient, env: Record<string, string>, kubectl: (args: string[], input?: string) => Promise<string>): Promise<Figure[]> {
  return runtimeFigures(await runtimeScale(rest, env, kubectl));
}
