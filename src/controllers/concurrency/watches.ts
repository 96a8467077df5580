// What wakes the concurrency and breaker controllers besides a spec change of the guard:
// - the worker workload's replica count or selector changed (the limit is shared by replicas);
// - the guard's brake appeared or went (workers must learn `frozen` now, not at the resync).
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import { objectKey, type KubeObject } from '../../runtime/keys.ts';
import { Resources } from '../../runtime/kube/resource.ts';
import type { WatchSpec } from '../../runtime/manager.ts';
import { specOrMetadataChanged, type MapFn, type UpdatePredicate } from '../../runtime/watches.ts';
import { workerWorkloadRef, type ConcurrencyWorkloadKind, type Workload } from './workload.ts';

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

const replicaFacts = (o: KubeObject): string => {
  const w = o as Workload;
  return JSON.stringify([w.spec?.replicas, w.status?.replicas, w.spec?.selector]);
};

/** Replicas (desired or running) or the selector changed; other status churn does not count. */
export const replicasChanged: UpdatePredicate = (old, obj) => replicaFacts(old) !== replicaFacts(obj);

export function workerWorkloadWatches(guards: Informer<CostGuard>): WatchSpec[] {
  return [
    { resource: Resources.deployments, map: guardsOf(guards, 'Deployment'), predicate: replicasChanged },
    { resource: Resources.statefulSets, map: guardsOf(guards, 'StatefulSet'), predicate: replicasChanged },
  ];
}

const braked = (o: KubeObject): boolean => (o as CostGuard).status?.brake !== undefined;

/** The guard's own updates worth a reconcile: spec/metadata as usual, plus the brake engaging or releasing. */
export const specOrBrakeChanged: UpdatePredicate = (old, obj) => specOrMetadataChanged(old, obj) || braked(old) !== braked(obj);
