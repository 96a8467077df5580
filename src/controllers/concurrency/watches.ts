// What wakes the concurrency and breaker controllers besides a spec change of the guard:
// - the worker workload changed (the limit is shared by its replicas). The workload informers
//   hold metadata only, so a change of running replicas (status) shows as a new
//   resourceVersion alone: the concurrency controller wakes on any change of a worker
//   workload and reads the body itself; the breaker, which polls anyway, on spec changes only;
// - the guard's brake appeared or went (workers must learn `frozen` now, not at the resync).
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import { objectKey, type KubeObject } from '../../runtime/keys.ts';
import { Resources } from '../../runtime/kube/resource.ts';
import type { WatchSpec } from '../../runtime/manager.ts';
import { anyChange, specOrMetadataChanged, type MapFn, type UpdatePredicate } from '../../runtime/watches.ts';
import { workerWorkloadRef, type ConcurrencyWorkloadKind } from './workload.ts';

function guardsOf(guards: Informer<CostGuard>, kind: ConcurrencyWorkloadKind): MapFn<KubeObject> {
  return (obj) =>
    guards
      .list(obj.metadata?.namespace)
      .filter((g) => {
        const ref = workerWorkloadRef(g);
        return ref?.kind === kind && ref.name === obj.metadata?.name;
      })
      .map((g) => objectKey(g));
}

/** The spec changed (replicas, selector): metadata.generation moved. */
export const workloadSpecChanged: UpdatePredicate = (old, obj) => old.metadata?.generation !== obj.metadata?.generation;

/**
 * Watches of the worker workloads, metadata only. `predicate`: anyChange for the concurrency
 * limit (running replicas move without a new generation), workloadSpecChanged for the breaker.
 */
export function workerWorkloadWatches(guards: Informer<CostGuard>, predicate: UpdatePredicate = anyChange): WatchSpec[] {
  return [
    { resource: Resources.deployments, map: guardsOf(guards, 'Deployment'), predicate, metadataOnly: true },
    { resource: Resources.statefulSets, map: guardsOf(guards, 'StatefulSet'), predicate, metadataOnly: true },
  ];
}

const braked = (o: KubeObject): boolean => (o as CostGuard).status?.brake !== undefined;

/** The guard's own updates worth a reconcile: spec/metadata as usual, plus the brake engaging or releasing. */
export const specOrBrakeChanged: UpdatePredicate = (old, obj) => specOrMetadataChanged(old, obj) || braked(old) !== braked(obj);
