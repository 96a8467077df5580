// I/O: carries out a plan's actions. Each action is independent: one failing target does not
// stop the others, and every outcome is reported so status says exactly what was applied.
// The original is recorded on the target before the value changes: tags on a group are
// written (and must succeed) before UpdateAutoScalingGroup; annotations on workloads and
// NodePools travel in the same merge patch as the value.
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { ScalingGroups } from '../../cloud/scaling-groups.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../../runtime/kube/rest.ts';
import type { GroupSnapshots } from '../targets/group-snapshots.ts';
import type { GroupAction } from './plan-groups.ts';
import { ASG_CLAMPED_AT_KEY, ASG_KEYS, ASG_MIN_KEYS, ASG_MIN_RECORD_KEYS, ASG_RECORD_KEYS, writeFieldRecord } from '../targets/records.ts';
import { WORKLOAD_RESOURCES } from '../targets/observe.ts';
import type { CeilingAction } from './plan.ts';
import type { NodePoolAction, WorkloadAction } from './plan-k8s.ts';

export interface ActDeps {
  rest: RestClient;
  snapshots: GroupSnapshots;
  scalingGroups(target: AwsTarget): ScalingGroups;
}

export interface ActionFailure {
  action: CeilingAction;
  error: unknown;
}

/** `spec.maxReplicas` → { spec: { maxReplicas: 30 } }. */
function nested(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

// resourceVersion in a merge patch is an optimistic lock: if the target changed since we
// observed it, the API server answers 409 and the next reconcile decides again.
function patchWorkload(rest: RestClient, namespace: string, a: WorkloadAction): Promise<unknown> {
  const metadata = { annotations: a.annotations, ...(a.resourceVersion ? { resourceVersion: a.resourceVersion } : {}) };
  const body = { ...(a.set ? nested(a.set.path, a.set.to) : {}), metadata };
  return rest.patch(objectPath(WORKLOAD_RESOURCES[a.workload], namespace, a.name), body, ContentType.mergePatch);
}

function patchNodePool(rest: RestClient, a: NodePoolAction): Promise<unknown> {
  const metadata = { annotations: a.annotations, ...(a.resourceVersion ? { resourceVersion: a.resourceVersion } : {}) };
  const body = { ...(Object.keys(a.limits).length ? { spec: { limits: a.limits } } : {}), metadata };
  return rest.patch(objectPath(Resources.karpenterNodePools, undefined, a.name), body, ContentType.mergePatch);
}

/** The tags that record this action's originals: MaxSize's (with its time) and MinSize's. */
function recordTags(action: GroupAction, owner: string): Record<string, string> {
  const max = action.record ? { ...writeFieldRecord(action.record, ASG_KEYS, owner), ...(action.clampedAt ? { [ASG_CLAMPED_AT_KEY]: action.clampedAt } : {}) } : {};
  const min = action.minRecord ? writeFieldRecord(action.minRecord, ASG_MIN_KEYS, owner) : {};
  return { ...max, ...min, ...action.holders?.set };
}

/** Record first, then the value, then (when CostGuard's change no longer stands) drop the record. */
async function applyGroup(groups: ScalingGroups, action: GroupAction, owner: string): Promise<void> {
  const tags = recordTags(action, owner);
  if (Object.keys(tags).length) await groups.setTags(action.name, tags);
  const { minSize, maxSize, desiredCapacity } = action.limits;
  if (minSize !== undefined || maxSize !== undefined || desiredCapacity !== undefined) await groups.setLimits(action.name, action.limits);
  const cleared = [...(action.clearRecord ? ASG_RECORD_KEYS : []), ...(action.clearMinRecord ? ASG_MIN_RECORD_KEYS : []), ...(action.holders?.remove ?? [])];
  if (cleared.length) await groups.deleteTags(action.name, cleared);
}

async function applyOne(deps: ActDeps, target: AwsTarget, who: Who, action: CeilingAction): Promise<void> {
  if (action.kind === 'workload') return void (await patchWorkload(deps.rest, who.namespace, action));
  if (action.kind === 'nodepool') return void (await patchNodePool(deps.rest, action));
  await applyGroup(deps.scalingGroups(target), action, who.owner);
  // Refresh the shared snapshot so guards reconciled later in this cycle see the new values;
  // a failed read only means they read AWS again themselves.
  await deps.snapshots.fresh(target, [action.name]).catch(() => []);
}

/** The guard acting: its namespace (for workloads) and "<namespace>/<name>" (the records' owner). */
export interface Who {
  namespace: string;
  owner: string;
}

export async function applyActions(deps: ActDeps, target: AwsTarget, who: Who, actions: readonly CeilingAction[]): Promise<ActionFailure[]> {
  const results = await Promise.allSettled(actions.map((a) => applyOne(deps, target, who, a)));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ action: actions[i]!, error: r.reason as unknown }] : []));
}
