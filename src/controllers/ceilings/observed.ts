// What the ceilings controller observed for one guard, resolved from its spec. Built by
// observe.ts (I/O) and consumed by plan.ts (pure).
import type { CostGuardStatus, NodePoolSpec, ScalingGroupSpec, WorkloadSpec } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup } from '../../cloud/scaling-groups.ts';
import type { PeerCap } from './caps.ts';
import type { ObservedNodePool, Quantities } from './nodepool-decide.ts';
import type { ObservedWorkload } from './replicas-decide.ts';

export interface ObservedCeilings {
  /** Each scalingGroups entry with the groups it resolved to (a name: 0 or 1; tags: 0..n). */
  groups: { spec: ScalingGroupSpec; found: ScalingGroup[] }[];
  /** kindMissing: not found because the API server does not serve the kind (CRD not installed). */
  workloads: { spec: WorkloadSpec; found?: ObservedWorkload; resourceVersion?: string; kindMissing?: boolean }[];
  nodePools: { spec: NodePoolSpec; found?: ObservedNodePool; resourceVersion?: string; kindMissing?: boolean }[];
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

/** What the pure plan reads besides the observation: the guard's own status (holds, rate-limit memory) and its peers. */
export interface PlanInputs {
  /** "<namespace>/<name>" of the guard being planned: written as the records' owner. */
  owner: string;
  status: CostGuardStatus | undefined;
  peers: readonly PeerCeiling[];
}

/** The peers' integer caps on one target: the peer entries themselves (no copy: with many guards on a target this runs per reconcile). */
export function peerCapsOn(inputs: PlanInputs, target: string): PeerCap[] {
  return inputs.peers.filter((p): p is PeerCeiling & PeerCap => p.target === target && p.value !== undefined);
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
