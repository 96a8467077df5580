// Pure decision for a replica ceiling on a Deployment, StatefulSet, HPA or KEDA ScaledObject.
import type { DecideContext } from './asg-decide.ts';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'HorizontalPodAutoscaler' | 'ScaledObject';

/** The field each kind's ceiling applies to, and its value when unset. */
export const REPLICA_FIELD: Record<WorkloadKind, { path: string; unsetMeans: number }> = {
  Deployment: { path: 'spec.replicas', unsetMeans: 1 },
  StatefulSet: { path: 'spec.replicas', unsetMeans: 1 },
  HorizontalPodAutoscaler: { path: 'spec.maxReplicas', unsetMeans: Infinity },
  // KEDA defaults maxReplicaCount to 100 when it is left out.
  ScaledObject: { path: 'spec.maxReplicaCount', unsetMeans: 100 },
};

/** The field's key under `spec` ("replicas", "maxReplicas", "maxReplicaCount"). */
export function specKey(kind: WorkloadKind): string {
  return REPLICA_FIELD[kind].path.slice('spec.'.length);
}

export interface ObservedWorkload {
  kind: WorkloadKind;
  name: string;
  /** The ceiling field as written; undefined when unset. */
  value: number | undefined;
  /** Replicas running now. */
  replicas?: number;
  /** The autoscaler wants more than its max (HPA condition ScalingLimited/TooManyReplicas). */
  wantsMore?: boolean;
}

export interface WorkloadMemory {
  originalValue?: number;
}

export interface WorkloadDecision {
  change?: { field: string; from: number | undefined; to: number; reason: 'AboveCeiling' | 'Drift' | 'Unset' };
  binding: boolean;
  memory: WorkloadMemory;
}

/** Demand is at or above the ceiling: replicas asked for reach it, or the autoscaler wants more. */
function demandAtCeiling(ceiling: number, observed: ObservedWorkload, effective: number): boolean {
  if (REPLICA_FIELD[observed.kind].path === 'spec.replicas') return effective >= ceiling;
  return (observed.replicas ?? 0) >= ceiling || (observed.wantsMore === true && effective >= ceiling);
}

export function decideWorkload(ceiling: number, observed: ObservedWorkload, memory: WorkloadMemory, ctx: DecideContext): WorkloadDecision {
  const field = REPLICA_FIELD[observed.kind];
  const effective = observed.value ?? field.unsetMeans;
  const binding = demandAtCeiling(ceiling, observed, effective);
  if (effective <= ceiling) return { binding, memory };
  const reason = memory.originalValue !== undefined ? 'Drift' : observed.value === undefined ? 'Unset' : 'AboveCeiling';
  return {
    change: { field: field.path, from: observed.value, to: ceiling, reason },
    binding,
    // An unset field is recorded as its effective default (KEDA: 100), so restore and drift work alike.
    memory: { originalValue: memory.originalValue ?? (ctx.act ? effective : undefined) },
  };
}
