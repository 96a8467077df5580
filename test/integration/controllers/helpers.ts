// Set-up for controller integration tests: the CostGuard CRD plus KEDA's and Karpenter's real
// CRDs in the real API server, an operator per namespace, guards, and moto groups.
import { join } from 'node:path';
import { peerCrdFiles, repoRoot } from '../../../hack/localenv/index.ts';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath } from '../../../src/runtime/kube/resource.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { createLogger, type Logger } from '../../../src/runtime/logger.ts';
import { testEnv } from '../../harness/env.ts';
import { eventually, kubectl, rest, testConfig, testLogger } from '../runtime/helpers.ts';

export { createNamespace, eventually, kubectl, rest } from '../runtime/helpers.ts';

let installed: Promise<void> | undefined;

/** The CostGuard CRD (generated) and KEDA's and Karpenter's CRDs (`make peer-crds`), Established. */
export function installCrds(): Promise<void> {
  installed ??= (async () => {
    const peers = peerCrdFiles().flatMap((f) => ['-f', f]);
    await kubectl(['apply', '--server-side', '-f', join(repoRoot, 'crds'), ...peers]);
    for (const crd of ['costguards.costguard.io', 'scaledobjects.keda.sh', 'scaledjobs.keda.sh', 'nodepools.karpenter.sh', 'nodeclaims.karpenter.sh']) {
      await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd}`]);
    }
  })();
  return installed;
}

/** An operator watching one namespace, resyncing every second so AWS drift shows up fast. */
export function startTestOperator(namespace: string, opts: { awsEndpoint?: string; resync?: string; log?: Logger } = {}): Promise<RunningOperator> {
  return startOperator({
    config: testConfig(namespace, [`--resync-period=${opts.resync ?? '1s'}`]),
    kubeConfig: testEnv().kubeConfig,
    defaultRegion: 'us-east-1',
    log: opts.log ?? testLogger(),
    ...(opts.awsEndpoint ? { awsEndpoint: opts.awsEndpoint } : {}),
  });
}

export function createGuard(namespace: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<CostGuard> {
  const body = { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
  return rest().create<CostGuard>(collectionPath(COSTGUARD_RESOURCE, namespace), body);
}

export function getGuard(namespace: string, name: string): Promise<CostGuard> {
  return rest().get<CostGuard>(objectPath(COSTGUARD_RESOURCE, namespace, name));
}

/** Deletes a guard and waits until it is gone: its onDelete policy has run and its finalizers are off. */
export async function deleteGuard(namespace: string, name: string): Promise<void> {
  await rest().delete(objectPath(COSTGUARD_RESOURCE, namespace, name));
  await eventually(`${name} gone`, async () => getGuard(namespace, name).then(() => false, () => true));
}

export function condition(guard: CostGuard, type: string): { status: string; reason: string; message: string } | undefined {
  return guard.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the guard's condition `type` has `status` (and `reason`, if given). */
export function waitForCondition(namespace: string, name: string, want: { type: string; status: string; reason?: string }, timeoutMs = 20_000): Promise<CostGuard> {
  return eventually(
    `${name} ${want.type}=${want.status}${want.reason ? ` (${want.reason})` : ''}`,
    async () => {
      const guard = await getGuard(namespace, name);
      const c = condition(guard, want.type);
      return c?.status === want.status && (!want.reason || c.reason === want.reason) ? guard : undefined;
    },
    timeoutMs,
  );
}

export interface KubeEvent {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string };
}

export async function eventsFor(namespace: string, name: string): Promise<KubeEvent[]> {
  const list = await rest().get<{ items: KubeEvent[] }>(`/apis/events.k8s.io/v1/namespaces/${namespace}/events`);
  return list.items.filter((e) => e.regarding?.name === name);
}

/** Waits for at least one event with this reason about the guard; returns them all. */
export function waitForEvents(namespace: string, name: string, reason: string, atLeast = 1): Promise<KubeEvent[]> {
  return eventually(`${atLeast} ${reason} event(s) for ${name}`, async () => {
    const found = (await eventsFor(namespace, name)).filter((e) => e.reason === reason);
    return found.length >= atLeast ? found : undefined;
  });
}

/** A debug logger that counts the reconciles each controller finished, per object name. */
export function reconcileCounter(): { log: Logger; count(controller: string, name: string): number } {
  const seen = new Map<string, number>();
  const log = createLogger('debug', {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; controller?: string; name?: string };
      if (entry.msg !== 'reconciled') return;
      const key = `${entry.controller}/${entry.name}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    },
  });
  return { log, count: (controller, name) => seen.get(`${controller}/${name}`) ?? 0 };
}

/** How many reconciles the operator's ceilings controller has finished (all guards): a resync counter. */
export async function ceilingsReconciles(operator: RunningOperator): Promise<number> {
  const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_total');
  return [...text.matchAll(/controller="ceilings"[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Waits until the ceilings controller has finished `n` more reconciles: resyncs observed, not slept. */
export async function moreReconciles(operator: RunningOperator, n: number): Promise<void> {
  const seen = await ceilingsReconciles(operator);
  await eventually(`${n} more ceilings reconciles`, async () => (await ceilingsReconciles(operator)) >= seen + n);
}
