// What the ceilings controller observed for one guard, resolved from its spec. Built by
// observe.ts (I/O) and consumed by plan.ts (pure).
import type { NodePoolSpec, ScalingGroupSpec, WorkloadSpec } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup } from '../../cloud/scaling-groups.ts';
import type { ObservedNodePool } from './nodepool-decide.ts';
import type { ObservedWorkload } from './replicas-decide.ts';

export interface ObservedCeilings {
  /** Each scalingGroups entry with the groups it resolved to (a name: 0 or 1; tags: 0..n). */
  groups: { spec: ScalingGroupSpec; found: ScalingGroup[] }[];
  /** kindMissing: not found because the API server does not serve the kind (CRD not installed). */
  workloads: { spec: WorkloadSpec; found?: ObservedWorkload; resourceVersion?: string; kindMissing?: boolean }[];
  nodePools: { spec: NodePoolSpec; found?: ObservedNodePool; resourceVersion?: string; kindMissing?: boolean }[];
}

/** "asg/orders-worker-asg", "HorizontalPodAutoscaler/orders-worker": how targets are named in messages. */
export function asgRef(name: string): string {
  return `asg/${name}`;
}

export function workloadRef(spec: { kind: string; name: string }): string {
  return `${spec.kind}/${spec.name}`;
}

export function nodePoolRef(name: string): string {
  return `NodePool/${name}`;
}
