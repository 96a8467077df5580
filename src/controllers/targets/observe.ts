// I/O: reads every target a guard names — Auto Scaling groups through the cloud port (via the
// shared snapshot), workloads and NodePools from the API server — into ObservedCeilings.
import { createHash } from 'node:crypto';
import type { CostGuard, NodePoolSpec, WorkloadSpec } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { ScalingGroups } from '../../cloud/scaling-groups.ts';
import { isNotFound } from '../../runtime/errors.ts';
import { objectPath, Resources, type ResourceType } from '../../runtime/kube/resource.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import type { GroupSnapshots } from './group-snapshots.ts';
import { specKey, type NodePoolResource, type ObservedNodePool, type ObservedWorkload, type Quantities, type WorkloadKind } from './kinds.ts';
import type { ObservedCeilings } from './observed.ts';
import { readFieldRecord, readNodePoolRecord, WORKLOAD_KEYS } from './records.ts';
import { kedaHpaName, scaledJobReplicas, scaledObjectReplicas, wantsMore, type Replicas } from './keda-replicas.ts';

export interface ObserveDeps {
  rest: RestClient;
  snapshots: GroupSnapshots;
  scalingGroups(target: AwsTarget): ScalingGroups;
}

export const WORKLOAD_RESOURCES: Record<WorkloadKind, ResourceType> = {
  Deployment: Resources.deployments,
  StatefulSet: Resources.statefulSets,
  HorizontalPodAutoscaler: Resources.horizontalPodAutoscalers,
  ScaledObject: Resources.kedaScaledObjects,
  ScaledJob: Resources.kedaScaledJobs,
};

interface KubeTarget {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * A 404 for an object carries a Status naming it (details.name); a 404 for a kind the API
 * server does not serve (its CRD is not installed) does not.
 */
export function isKindMissing(err: unknown): boolean {
  if (!isNotFound(err)) return false;
  const body = (err as { body?: unknown }).body;
  const details = typeof body === 'object' && body !== null ? (body as { details?: { name?: string } }).details : undefined;
  return !details?.name;
}

type Lookup = { obj: KubeTarget } | { absent: 'object' | 'kind' };

async function lookup(rest: RestClient, path: string): Promise<Lookup> {
  try {
    return { obj: await rest.get<KubeTarget>(path) };
  } catch (err) {
    if (isNotFound(err)) return { absent: isKindMissing(err) ? 'kind' : 'object' };
    throw err;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** A digest of the spec: a write refused as invalid is sent again once it moves (HPAs, for one, keep metadata.generation still). */
function specHash(obj: KubeTarget): string {
  return createHash('sha256').update(JSON.stringify(obj.spec ?? {})).digest('hex').slice(0, 16);
}

/** Where the kind keeps its replicas: its own status, or (KEDA) the HPA or Jobs it drives. */
function replicasOf(rest: RestClient, namespace: string, spec: WorkloadSpec, obj: KubeTarget): Promise<Replicas> | Replicas {
  const own = (replicas: unknown): Replicas => ({ ...(num(replicas) !== undefined ? { replicas: num(replicas) } : {}), wantsMore: wantsMore(obj.status) });
  switch (spec.kind) {
    case 'HorizontalPodAutoscaler':
      return own(obj.status?.currentReplicas);
    case 'ScaledObject':
      return scaledObjectReplicas(rest, namespace, kedaHpaName(spec.name, obj.status));
    case 'ScaledJob':
      return scaledJobReplicas(rest, namespace, spec.name);
    default:
      return own(obj.status?.replicas);
  }
}

function toWorkload(spec: WorkloadSpec, obj: KubeTarget, running: Replicas): ObservedWorkload {
  const record = readFieldRecord(obj.metadata?.annotations, WORKLOAD_KEYS);
  const min = spec.kind === 'ScaledObject' ? num(obj.spec?.minReplicaCount) : undefined;
  const value = num(obj.spec?.[specKey(spec.kind)]);
  return { kind: spec.kind, name: spec.name, value, ...running, ...(min !== undefined ? { minReplicas: min } : {}), ...(record ? { record } : {}) };
}

async function observeWorkload(rest: RestClient, namespace: string, spec: WorkloadSpec): Promise<ObservedCeilings['workloads'][number]> {
  const got = await lookup(rest, objectPath(WORKLOAD_RESOURCES[spec.kind], namespace, spec.name));
  if ('absent' in got) return { spec, ...(got.absent === 'kind' ? { kindMissing: true } : {}) };
  const { obj } = got;
  return { spec, found: toWorkload(spec, obj, await replicasOf(rest, namespace, spec, obj)), resourceVersion: obj.metadata?.resourceVersion, specHash: specHash(obj) };
}

function quantities(source: unknown, keys: readonly NodePoolResource[]): Quantities {
  const record = (source ?? {}) as Record<string, string | number | undefined>;
  return Object.fromEntries(keys.flatMap((k) => (record[k] === undefined ? [] : [[k, record[k]]])));
}

async function observeNodePool(rest: RestClient, spec: NodePoolSpec): Promise<ObservedCeilings['nodePools'][number]> {
  const got = await lookup(rest, objectPath(Resources.karpenterNodePools, undefined, spec.name));
  if ('absent' in got) return { spec, ...(got.absent === 'kind' ? { kindMissing: true } : {}) };
  const { obj } = got;
  const keys: NodePoolResource[] = ['cpu', 'memory', 'nodes'];
  const record = readNodePoolRecord(obj.metadata?.annotations);
  const isStatic = obj.spec?.replicas !== undefined;
  const found: ObservedNodePool = {
    name: spec.name,
    limits: quantities(obj.spec?.limits, keys),
    usage: quantities(obj.status?.resources, keys),
    ...(isStatic ? { static: true } : {}),
    ...(record ? { record } : {}),
  };
  return { spec, found, resourceVersion: obj.metadata?.resourceVersion, specHash: specHash(obj) };
}

async function observeGroups(deps: ObserveDeps, guard: CostGuard, target: AwsTarget, maxAgeMs?: number): Promise<ObservedCeilings['groups']> {
  const entries = guard.spec.scalingGroups ?? [];
  const names = entries.flatMap((e) => (e.name === undefined ? [] : [e.name]));
  const named = names.length ? await deps.snapshots.describe(target, names, maxAgeMs) : [];
  return Promise.all(
    entries.map(async (spec) => {
      if (spec.name !== undefined) return { spec, found: named.filter((g) => g.name === spec.name) };
      return { spec, found: await deps.snapshots.select(target, spec.tagSelector ?? {}, maxAgeMs) };
    }),
  );
}

/**
 * Every target the guard names, as the actuator sees them. `maxAgeMs` asks the shared group
 * snapshot for a younger view than the resync period (the runaway detector samples capacity
 * here every interval, through the same snapshot, so its sample is as fresh as the actuator's).
 */
export async function observeCeilings(deps: ObserveDeps, guard: CostGuard, target: AwsTarget, maxAgeMs?: number): Promise<ObservedCeilings> {
  const namespace = guard.metadata?.namespace ?? 'default';
  const [groups, workloads, nodePools] = await Promise.all([
    observeGroups(deps, guard, target, maxAgeMs),
    Promise.all((guard.spec.workloads ?? []).map((w) => observeWorkload(deps.rest, namespace, w))),
    Promise.all((guard.spec.nodePools ?? []).map((p) => observeNodePool(deps.rest, p))),
  ]);
  return { groups, workloads, nodePools };
}
