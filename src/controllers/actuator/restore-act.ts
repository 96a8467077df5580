// I/O for onDelete: Restore: read each target's own record, ask restore-decide.ts what to do,
// and do exactly that. Groups: the record tags are updated before the write (when another
// guard takes the record over) or removed after it. Workloads and NodePools: value and record
// travel in one merge patch with the resourceVersion lock. Errors propagate: a restore that
// failed is retried, never silently skipped.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup, ScalingGroups } from '../../cloud/scaling-groups.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../../runtime/kube/rest.ts';
import type { PeerCap } from './caps.ts';
import type { FieldRecord } from './field-decide.ts';
import type { ObservedCeilings, PeerCeiling } from '../targets/observed.ts';
import { asgRef, nodePoolRef, workloadRef } from '../targets/observed.ts';
import { WORKLOAD_RESOURCES } from '../targets/observe.ts';
import { clearAnnotations, OWNER_KEY, readFieldRecord, readNodePoolRecord, WORKLOAD_KEYS, writeFieldRecord } from '../targets/records.ts';
import { decideKeep, decideRestore, type RestoreStep } from './restore-decide.ts';
import { planPool, poolBody } from './restore-pool.ts';
import { planGroupRestore, type Leaving } from './restore-group.ts';
import type { Holding } from './holders-decide.ts';
import { matchesSelector } from '../../cloud/scaling-groups.ts';
import { isLiveCount, REPLICA_FIELD, specKey, type WorkloadKind } from './replicas-decide.ts';
import { resolveSplit } from '../shared/holds.ts';

export interface RestoreIo {
  rest: RestClient;
  groups: ScalingGroups;
  /** Other acting guards' ceilings on the targets (peers.ts over the informer cache). */
  peers(observed: ObservedCeilings): PeerCeiling[];
  /** Who the leaving guard is on the records; without it, holder names are neither read nor removed. */
  holding?: Holding;
  /** onDelete: Restore gives back; Keep leaves the values and makes sure no one gives them back later. Default Restore. */
  policy?: 'Restore' | 'Keep';
}

/** The guard's own ceiling on a group (its entries that name or select it): what Keep keeps. */
function ownGroupCeiling(guard: CostGuard, group: ScalingGroup): number {
  const entries = (guard.spec.scalingGroups ?? []).filter((e) => (e.name !== undefined ? e.name === group.name : matchesSelector(group.tags, e.tagSelector ?? {})));
  return entries.length ? Math.min(...entries.map((e) => e.maxSize)) : group.maxSize;
}

/** The peers' caps on a target, their holds at current resolved against what runs now. */
const capsOn = (peers: readonly PeerCeiling[], target: string, live: number | undefined): PeerCap[] =>
  peers.flatMap((p) => (p.target === target && p.value !== undefined ? [{ guard: p.guard, value: resolveSplit({ value: p.value, ...(p.atCurrent !== undefined ? { atCurrent: p.atCurrent } : {}) }, live) }] : []));

const replicasOf = (obj: KubeObj | undefined): number | undefined => {
  const r = obj?.status?.replicas ?? obj?.status?.currentReplicas;
  return typeof r === 'number' ? r : undefined;
};

/** Every group this guard may have changed: named, tag-selected now, in status, or tagged with it as owner. */
async function groupsOf(io: RestoreIo, guard: CostGuard, owner: string): Promise<ScalingGroup[]> {
  const entries = guard.spec.scalingGroups ?? [];
  const named = [...entries.flatMap((e) => (e.name ? [e.name] : [])), ...(guard.status?.scalingGroups ?? []).map((g) => g.name)];
  const selected = await Promise.all([{ [OWNER_KEY]: owner }, ...entries.flatMap((e) => (e.tagSelector ? [e.tagSelector] : []))].map((s) => io.groups.findByTags(s)));
  const byName = new Map(selected.flat().map((g) => [g.name, g]));
  const missing = named.filter((n) => !byName.has(n));
  for (const g of missing.length ? await io.groups.describe(missing) : []) byName.set(g.name, g);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function restoreGroup(io: RestoreIo, guard: CostGuard, group: ScalingGroup, peers: readonly PeerCeiling[]): Promise<RestoreStep[]> {
  const groups = io.groups;
  const leaving: Leaving = io.policy === 'Keep' ? { policy: 'Keep', ownCap: ownGroupCeiling(guard, group) } : { policy: 'Restore' };
  const plan = planGroupRestore(group, capsOn(peers, asgRef(group.name), group.desiredCapacity), io.holding, leaving);
  if (Object.keys(plan.tags).length) await groups.setTags(group.name, plan.tags);
  if (Object.keys(plan.limits).length) await groups.setLimits(group.name, plan.limits);
  if (plan.cleared.length) await groups.deleteTags(group.name, plan.cleared);
  return plan.steps;
}

export async function restoreGroups(io: RestoreIo, guard: CostGuard, owner: string): Promise<RestoreStep[]> {
  if (!(guard.spec.scalingGroups?.length || guard.status?.scalingGroups?.length)) return [];
  const groups = await groupsOf(io, guard, owner);
  const peers = io.peers({ groups: [{ spec: { name: '', maxSize: 0 }, found: groups }], workloads: [], nodePools: [] });
  const steps: RestoreStep[] = [];
  for (const g of groups) steps.push(...(await restoreGroup(io, guard, g, peers)));
  return steps;
}

interface KubeObj {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

async function getOrUndefined(rest: RestClient, path: string): Promise<KubeObj | undefined> {
  try {
    return await rest.get<KubeObj>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function annotationsFor(step: RestoreStep, keys: typeof WORKLOAD_KEYS): Record<string, string | null> | undefined {
  if (step.record.kind === 'remove') return clearAnnotations(keys);
  if (step.record.kind === 'set') return writeFieldRecord(step.record.record, keys, step.record.owner);
  return undefined;
}

function workloadBody(obj: KubeObj, kind: WorkloadKind, step: RestoreStep): Record<string, unknown> | undefined {
  const annotations = annotationsFor(step, WORKLOAD_KEYS);
  if (!step.write && !annotations) return undefined;
  return {
    metadata: { resourceVersion: obj.metadata?.resourceVersion, ...(annotations ? { annotations } : {}) },
    ...(step.write ? { spec: { [specKey(kind)]: step.write.to ?? null } } : {}),
  };
}

/** Restore or Keep on one workload's replica ceiling, from what was read of it. */
function leaveWorkload(io: RestoreIo, w: { kind: WorkloadKind; name: string; maxReplicas?: number }, read: { obj: KubeObj | undefined; record: FieldRecord | undefined; peers: PeerCap[] }): RestoreStep {
  const value = read.obj?.spec?.[specKey(w.kind)];
  const field = REPLICA_FIELD[w.kind];
  const current = typeof value === 'number' ? value : undefined;
  const input = { target: workloadRef(w), field: field.path, exists: !!read.obj, current, unsetMeans: field.unsetMeans, record: read.record, peers: read.peers };
  return io.policy === 'Keep' ? decideKeep({ ...input, ownCap: w.maxReplicas ?? current ?? field.unsetMeans }) : decideRestore(input);
}

async function restoreWorkload(io: RestoreIo, namespace: string, w: { kind: WorkloadKind; name: string; maxReplicas?: number }, peers: readonly PeerCeiling[]): Promise<RestoreStep | undefined> {
  // A live count a hold lowered (Shed, a brake) is not a ceiling someone chose to keep: its
  // record stays, so whoever guards the workload next gives it back.
  if (io.policy === 'Keep' && isLiveCount(w.kind)) return undefined;
  const path = objectPath(WORKLOAD_RESOURCES[w.kind], namespace, w.name);
  const obj = await getOrUndefined(io.rest, path);
  const target = workloadRef(w);
  const record = readFieldRecord(obj?.metadata?.annotations, WORKLOAD_KEYS);
  if (obj && !record) return undefined;
  const step = leaveWorkload(io, w, { obj, record, peers: capsOn(peers, target, replicasOf(obj)) });
  const body = obj ? workloadBody(obj, w.kind, step) : undefined;
  if (body) await io.rest.patch(path, body, ContentType.mergePatch);
  return step;
}

export async function restoreWorkloads(io: RestoreIo, guard: CostGuard): Promise<RestoreStep[]> {
  const namespace = guard.metadata.namespace ?? '';
  const all = new Map([...(guard.status?.workloads ?? []), ...(guard.spec.workloads ?? [])].map((w) => [workloadRef(w), { kind: w.kind, name: w.name, ...('maxReplicas' in w ? { maxReplicas: w.maxReplicas } : {}) }]));
  const peers = io.peers({ groups: [], workloads: [...all.values()].map((w) => ({ spec: { ...w, maxReplicas: 0 } })), nodePools: [] });
  const steps: RestoreStep[] = [];
  for (const w of all.values()) {
    const step = await restoreWorkload(io, namespace, w, peers);
    if (step) steps.push(step);
  }
  return steps;
}

async function restoreNodePool(io: RestoreIo, name: string, peers: readonly PeerCeiling[]): Promise<RestoreStep[]> {
  const path = objectPath(Resources.karpenterNodePools, undefined, name);
  const target = nodePoolRef(name);
  const obj = await getOrUndefined(io.rest, path);
  if (!obj) return [{ target, field: 'spec.limits', left: 'the target no longer exists', record: { kind: 'keep' } }];
  const record = readNodePoolRecord(obj.metadata?.annotations);
  if (!record) return [];
  const limits = (obj.spec?.limits ?? {}) as Record<string, string | number | undefined>;
  const plan = planPool(record, limits, { target, peers: peers.filter((p) => p.target === target) });
  await io.rest.patch(path, poolBody(obj, plan), ContentType.mergePatch);
  return plan.steps;
}

export async function restoreNodePools(io: RestoreIo, guard: CostGuard): Promise<RestoreStep[]> {
  const names = [...new Set([...(guard.spec.nodePools ?? []), ...(guard.status?.nodePools ?? [])].map((p) => p.name))];
  const peers = io.peers({ groups: [], workloads: [], nodePools: names.map((name) => ({ spec: { name, limits: {} } })) });
  const steps: RestoreStep[] = [];
  for (const name of names) steps.push(...(await restoreNodePool(io, name, peers)));
  return steps;
}

/**
 * Restores everything the guard changed; the AWS target is the guard's own. `guard` is the
 * permitted view (targets/tenancy.ts); what the policy refuses it (AWS, NodePools) is neither
 * read nor written, not even a group tagged with it as owner or a NodePool in its status.
 */
export async function restoreAll(io: RestoreIo, guard: CostGuard, owner: string, permits = { aws: true, nodePools: true }): Promise<RestoreStep[]> {
  const groups = permits.aws ? await restoreGroups(io, guard, owner) : [];
  // Keep on NodePools stays as it was: the limits and their record are left.
  const pools = permits.nodePools && io.policy !== 'Keep' ? await restoreNodePools(io, guard) : [];
  return [...groups, ...(await restoreWorkloads(io, guard)), ...pools];
}
