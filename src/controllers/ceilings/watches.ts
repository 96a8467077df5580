// Which guards a change to a workload or NodePool concerns: those naming it. Only spec
// changes (metadata.generation) trigger a reconcile, so status churn on busy Deployments
// does not; the periodic resync covers status-only signals such as an HPA at its max.
// These informers only map events to guards, so they hold metadata only (PartialObjectMetadata),
// not whole pod templates. Reconciles GET the targets.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import { objectKey, type KubeObject } from '../../runtime/keys.ts';
import type { ResourceType } from '../../runtime/kube/resource.ts';
import { specOrMetadataChanged, type UpdatePredicate, type MapFn } from '../../runtime/watches.ts';
import { deepEqual } from '../../runtime/equality.ts';
import type { WatchSpec } from '../../runtime/manager.ts';
import { Resources } from '../../runtime/kube/resource.ts';
import type { WorkloadKind } from '../actuator/replicas-decide.ts';

export const generationChanged: UpdatePredicate = (old, obj) => old.metadata?.generation !== obj.metadata?.generation;

const holdsOf = (o: KubeObject): unknown => (o as CostGuard).status?.holds ?? [];

/**
 * The guard's own updates that wake the actuator: spec and metadata as usual, and any change
 * to status.holds. A brake that engages, a breaker that opens or a cost cap that binds is
 * applied at once, not at the next resync (which would leave it up to 30 s stale).
 */
export const specOrHoldsChanged: UpdatePredicate = (old, obj) => specOrMetadataChanged(old, obj) || !deepEqual(holdsOf(old), holdsOf(obj));

function workloadMapper(guards: Informer<CostGuard>, kind: WorkloadKind): MapFn<KubeObject> {
  return (obj) =>
    guards
      .list(obj.metadata?.namespace)
      .filter((g) => g.spec.workloads?.some((w) => w.kind === kind && w.name === obj.metadata?.name))
      .map((g) => objectKey(g));
}

function nodePoolMapper(guards: Informer<CostGuard>): MapFn<KubeObject> {
  return (obj) =>
    guards
      .list()
      .filter((g) => g.spec.nodePools?.some((p) => p.name === obj.metadata?.name))
      .map((g) => objectKey(g));
}

export function ceilingWatches(guards: Informer<CostGuard>): WatchSpec[] {
  const workload = (resource: ResourceType, kind: WorkloadKind): WatchSpec => ({ resource, map: workloadMapper(guards, kind), predicate: generationChanged, metadataOnly: true });
  return [
    workload(Resources.deployments, 'Deployment'),
    workload(Resources.statefulSets, 'StatefulSet'),
    workload(Resources.horizontalPodAutoscalers, 'HorizontalPodAutoscaler'),
    workload(Resources.kedaScaledObjects, 'ScaledObject'),
    workload(Resources.kedaScaledJobs, 'ScaledJob'),
    { resource: Resources.karpenterNodePools, map: nodePoolMapper(guards), predicate: generationChanged, metadataOnly: true },
  ];
}
