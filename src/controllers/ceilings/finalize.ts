// Deletion: with onDelete Restore (and Enforce, not paused) put back the originals recorded
// in status, then release the finalizer. Keep (the default) releases it at once.
import { FINALIZER, PAUSED_ANNOTATION, type CostGuard, type NodePoolStatus, type WorkloadStatus } from '../../api/v1alpha1/index.ts';
import { objectReference } from '../../runtime/events.ts';
import { hasFinalizer, removeFinalizer } from '../../runtime/finalizers.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import { ContentType } from '../../runtime/kube/rest.ts';
import type { ReconcileContext } from '../../runtime/reconciler.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../resources.ts';
import type { ActDeps } from './act.ts';
import { restoredEvent } from './events.ts';
import { WORKLOAD_RESOURCES } from './observe.ts';
import { asgRef, nodePoolRef, workloadRef } from './observed.ts';
import { specKey } from './replicas-decide.ts';

interface RestoreDeps extends ActDeps {
  defaultRegion: string;
}

async function restoreGroups(deps: RestoreDeps, guard: CostGuard): Promise<string[]> {
  const originals = (guard.status?.scalingGroups ?? []).filter((g) => g.originalMaxSize !== undefined);
  if (!originals.length) return [];
  const target = awsTargetOf(guard, deps.defaultRegion);
  const live = new Map((await deps.snapshots.fresh(target, originals.map((g) => g.name))).map((g) => [g.name, g]));
  const restored: string[] = [];
  for (const g of originals) {
    const current = live.get(g.name);
    // Only ever back up to the original: a group someone has since lowered stays lowered.
    if (!current || current.maxSize >= g.originalMaxSize!) continue;
    await deps.scalingGroups(target).setLimits(g.name, { maxSize: g.originalMaxSize! });
    restored.push(asgRef(g.name));
  }
  return restored;
}

async function restoreWorkload(deps: RestoreDeps, namespace: string, w: WorkloadStatus): Promise<boolean> {
  const resource = WORKLOAD_RESOURCES[w.kind];
  const path = specKey(w.kind);
  const obj = await deps.rest.get<{ spec?: Record<string, unknown> }>(objectPath(resource, namespace, w.name)).catch(() => undefined);
  const current = obj?.spec?.[path];
  if (!obj || (typeof current === 'number' && current >= w.originalMaxReplicas!)) return false;
  await deps.rest.patch(objectPath(resource, namespace, w.name), { spec: { [path]: w.originalMaxReplicas } }, ContentType.mergePatch);
  return true;
}

async function restoreNodePool(deps: RestoreDeps, p: NodePoolStatus): Promise<boolean> {
  const original = p.originalLimits ?? {};
  // Limits that were absent before CostGuard set them are removed again (null in a merge patch).
  const limits = Object.fromEntries(Object.keys(p.limits ?? {}).map((k) => [k, (original as Record<string, unknown>)[k] ?? null]));
  await deps.rest.patch(objectPath(Resources.karpenterNodePools, undefined, p.name), { spec: { limits } }, ContentType.mergePatch);
  return true;
}

async function restoreOriginals(deps: RestoreDeps, guard: CostGuard): Promise<string[]> {
  const namespace = guard.metadata.namespace ?? '';
  const restored = await restoreGroups(deps, guard);
  for (const w of (guard.status?.workloads ?? []).filter((x) => x.originalMaxReplicas !== undefined)) {
    if (await restoreWorkload(deps, namespace, w)) restored.push(workloadRef(w));
  }
  for (const p of (guard.status?.nodePools ?? []).filter((x) => x.originalLimits !== undefined)) {
    if (await restoreNodePool(deps, p)) restored.push(nodePoolRef(p.name));
  }
  return restored;
}

export async function finalizeGuard(deps: RestoreDeps, guard: CostGuard, ctx: ReconcileContext): Promise<void> {
  if (!hasFinalizer(guard, FINALIZER)) return;
  const paused = guard.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
  if (guard.spec.onDelete === 'Restore' && guard.spec.mode === 'Enforce' && !paused) {
    const restored = await restoreOriginals(deps, guard);
    if (restored.length) await ctx.events.publish(restoredEvent(objectReference(COSTGUARD_RESOURCE, guard), restored));
    ctx.log.info({ restored }, 'restored original values before deletion');
  }
  await removeFinalizer(deps.rest, COSTGUARD_RESOURCE, guard, FINALIZER);
}
