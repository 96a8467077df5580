// Issue "operator runtime" benchmark: 1,000 CostGuards on the test API server. Time from the
// first create to every guard reconciled (observedGeneration set), steady-state CPU per
// resync cycle, and the operator's RSS.
import { setTimeout as delay } from 'node:timers/promises';
import type { RestClient } from '../src/runtime/kube/rest.ts';
import { createGuards, waitAllReconciled } from './kube.ts';
import { OperatorProcess } from './operator-process.ts';

export interface RuntimeScaleResult {
  guards: number;
  resyncSeconds: number;
  createToAllReconciledSeconds: number;
  cpuSecondsPerResyncCycle: number;
  reconcilesPerResyncCycle: number;
  rssMiBIdle: number;
  rssMiBAfter: number;
  heapUsedMiBAfter: number;
  nodeFlags: string;
}

const GUARDS = 1000;
const RESYNC_S = 30;

export async function runtimeScale(rest: RestClient, env: Record<string, string>, kubectl: (args: string[], input?: string) => Promise<string>): Promise<RuntimeScaleResult> {
  const ns = 'bench-scale';
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['create', 'deployment', 'w', '--image=example.com/w:1', '--replicas=2', '-n', ns]);
  const op = await OperatorProcess.start([`--namespaces=${ns}`, `--resync-period=${RESYNC_S}s`], env);
  try {
    await delay(2000);
    const rssMiBIdle = op.rssMiB();
    const started = Date.now();
    const spec = { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 10 }] };
    await createGuards(rest, ns, Array.from({ length: GUARDS }, () => spec));
    const reconciledAt = await waitAllReconciled(rest, ns, GUARDS, 10 * RESYNC_S * 1000);
    // Let the first cycle's follow-ups (finalizer adds) settle before measuring steady state.
    await delay(RESYNC_S * 1000);
    const cycles = 2;
    const [cpu0, rec0] = [op.cpuSeconds(), await op.counter('costguard_reconcile_total', 'controller="ceilings"')];
    await delay(cycles * RESYNC_S * 1000);
    const [cpu1, rec1] = [op.cpuSeconds(), await op.counter('costguard_reconcile_total', 'controller="ceilings"')];
    return {
      guards: GUARDS,
      resyncSeconds: RESYNC_S,
      createToAllReconciledSeconds: (reconciledAt - started) / 1000,
      cpuSecondsPerResyncCycle: (cpu1 - cpu0) / cycles,
      reconcilesPerResyncCycle: (rec1 - rec0) / cycles,
      rssMiBIdle,
      rssMiBAfter: op.rssMiB(),
      heapUsedMiBAfter: (await op.counter('costguard_nodejs_heap_size_used_bytes')) / 2 ** 20,
      nodeFlags: op.nodeFlags.join(' '),
    };
  } finally {
    await op.stop();
  }
}
