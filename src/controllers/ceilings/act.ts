// I/O: carries out a plan's actions. Each action is independent: one failing target does not
// stop the others, and every outcome is reported so status says exactly what was applied.
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { ScalingGroups } from '../../cloud/scaling-groups.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../../runtime/kube/rest.ts';
import type { GroupSnapshots } from './group-snapshots.ts';
import { WORKLOAD_RESOURCES } from './observe.ts';
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
  const body = { ...nested(a.path, a.to), ...(a.resourceVersion ? { metadata: { resourceVersion: a.resourceVersion } } : {}) };
  return rest.patch(objectPath(WORKLOAD_RESOURCES[a.workload], namespace, a.name), body, ContentType.mergePatch);
}

function patchNodePool(rest: RestClient, a: NodePoolAction): Promise<unknown> {
  const body = { spec: { limits: a.limits }, ...(a.resourceVersion ? { metadata: { resourceVersion: a.resourceVersion } } : {}) };
  return rest.patch(objectPath(Resources.karpenterNodePools, undefined, a.name), body, ContentType.mergePatch);
}

async function applyOne(deps: ActDeps, target: AwsTarget, namespace: string, action: CeilingAction): Promise<void> {
  if (action.kind === 'workload') return void (await patchWorkload(deps.rest, namespace, action));
  if (action.kind === 'nodepool') return void (await patchNodePool(deps.rest, action));
  await deps.scalingGroups(target).setLimits(action.name, action.limits);
  // Refresh the shared snapshot so guards reconciled later in this cycle see the new values;
  // a failed read only means they read AWS again themselves.
  await deps.snapshots.fresh(target, [action.name]).catch(() => []);
}

export async function applyActions(deps: ActDeps, target: AwsTarget, namespace: string, actions: readonly CeilingAction[]): Promise<ActionFailure[]> {
  const results = await Promise.allSettled(actions.map((a) => applyOne(deps, target, namespace, a)));
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ action: actions[i]!, error: r.reason as unknown }] : []));
}
