// What the ceilings controller observed for one guard, resolved from its spec. Built by
// observe.ts (I/O) and consumed by plan.ts (pure).
import type { NodePoolSpec, ScalingGroupSpec, WorkloadSpec } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup } from '../../cloud/scaling-groups.ts';
import type { ObservedNodePool, ObservedWorkload, Quantities } from './kinds.ts';

export interface ObservedCeilings {
  /** Each scalingGroups entry with the groups it resolved to (a name: 0 or 1; tags: 0..n). */
  groups: { spec: ScalingGroupSpec; found: ScalingGroup[] }[];
  /** kindMissing: not found because the API server does not serve the kind (CRD not installed). */
  /** specHash: a digest of the target's spec as read (moves with its spec, not its status; not every kind bumps metadata.generation). */
  workloads: { spec: WorkloadSpec; found?: ObservedWorkload; resourceVersion?: string; specHash?: string; kindMissing?: boolean }[];
  nodePools: { spec: NodePoolSpec; found?: ObservedNodePool; resourceVersion?: string; specHash?: string; kindMissing?: boolean }[];
  /** Ceilings other guards hold on the same targets (see peers.ts). */
  peers?: readonly PeerCeiling[];
}

/** Another guard's ceiling on one target: `value` for integer fields, `limits` for NodePools. */
export interface PeerCeiling {
  /** "<namespace>/<name>" of the other guard. */
  guard: string;
  target: string;
  value?: number;
  /** Its lowest hold at current on an integer field, resolved against the live capacity when applied. */
  atCurrent?: number;
  limits?: Quantities;
  /** `limits` is a hold at current: never applied below the pool's usage. */
  limitsAtCurrent?: boolean;
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
