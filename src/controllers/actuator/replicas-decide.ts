// Pure decision for a replica ceiling on a Deployment, StatefulSet, HPA, KEDA ScaledObject or ScaledJob.
import type { DecideContext } from './asg-decide.ts';
import type { Cap } from './caps.ts';
import { decideField, type FieldReason, type FieldRecord } from './field-decide.ts';
import { REPLICA_FIELD, type ObservedWorkload, type WorkloadKind } from '../targets/kinds.ts';

export { REPLICA_FIELD, specKey, type ObservedWorkload, type WorkloadKind } from '../targets/kinds.ts';

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
