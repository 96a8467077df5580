// Pure: the guard's next status from the ceilings plan, keeping what other controllers own.
import { ConditionType, type CostGuard, type CostGuardStatus } from '../../api/v1alpha1/index.ts';
import { deriveReady, setCondition, type Condition, type ConditionInput } from '../../runtime/conditions.ts';
import type { CeilingsPlan } from './plan.ts';

/** Ready needs CeilingsEnforced only when the guard is meant to enforce; Degraded always blocks it. */
export function readyDependents(enforcing: boolean): { positive: string[]; negative: string[] } {
  return { positive: enforcing ? [ConditionType.CeilingsEnforced] : [], negative: [ConditionType.Degraded] };
}

export interface StatusInput {
  guard: CostGuard;
  conditions: readonly ConditionInput[];
  enforcing: boolean;
  nowMs: number;
  ceilings?: CeilingsPlan['status'];
}

export function nextStatus(input: StatusInput): CostGuardStatus {
  const prior = input.guard.status ?? {};
  const stamp = { now: input.nowMs, generation: input.guard.metadata.generation };
  let conditions = (prior.conditions ?? []) as Condition[];
  for (const c of input.conditions) conditions = setCondition(conditions, c, stamp);
  conditions = deriveReady(conditions, readyDependents(input.enforcing), stamp);
  const next: CostGuardStatus = { ...prior, observedGeneration: input.guard.metadata.generation, conditions };
  if (input.ceilings) {
    delete next.scalingGroups;
    delete next.workloads;
    delete next.nodePools;
    Object.assign(next, input.ceilings);
  }
  return next;
}
