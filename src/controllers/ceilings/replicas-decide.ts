// Pure decision for a replica ceiling on a Deployment, StatefulSet, HPA or KEDA ScaledObject.
import type { DecideContext } from './asg-decide.ts';
import type { Cap } from './caps.ts';
import { decideField, type FieldReason, type FieldRecord } from './field-decide.ts';

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
  /** The record in the workload's annotations, if any. */
  record?: FieldRecord | undefined;
}

export interface WorkloadDecision {
  change?: { field: string; from: number | undefined; to: number | undefined; reason: FieldReason };
  binding: boolean;
  /** The record the workload should carry after the change. */
  record: FieldRecord | undefined;
}

/** Demand is at or above the ceiling: replicas asked for reach it, or the autoscaler wants more. */
function demandAtCeiling(ceiling: number, observed: ObservedWorkload, effective: number): boolean {
  if (isLiveCount(observed.kind)) return effective >= ceiling;
  return (observed.replicas ?? 0) >= ceiling || (observed.wantsMore === true && effective >= ceiling);
}

/**
 * spec.replicas is a live count: demand is the count itself, and CostGuard raises it only to
 * give back what it lowered (while it still holds CostGuard's value), never on its own.
 */
export function isLiveCount(kind: WorkloadKind): boolean {
  return REPLICA_FIELD[kind].path === 'spec.replicas';
}

export function decideWorkload(cap: Cap, observed: ObservedWorkload, ctx: DecideContext): WorkloadDecision {
  const field = REPLICA_FIELD[observed.kind];
  const d = decideField({ current: observed.value, unsetMeans: field.unsetMeans, cap, record: observed.record });
  const after = ctx.act && d.change ? (d.change.to ?? field.unsetMeans) : (observed.value ?? field.unsetMeans);
  const binding = demandAtCeiling(cap.value, observed, after);
  return {
    ...(d.change ? { change: { field: field.path, ...d.change } } : {}),
    binding,
    record: ctx.act ? d.record : observed.record,
  };
}
