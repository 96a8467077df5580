// Pure: the guard's next status from the ceilings plan, keeping what other controllers own.
// Ready is derived for the whole guard (every section's condition), whichever controller writes.
import type { CostGuard, CostGuardStatus } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { effectiveMode, isEnforcing } from '../shared/pause.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import type { CeilingsPlan } from '../actuator/plan.ts';

export interface StatusInput {
  guard: CostGuard;
  conditions: readonly ConditionInput[];
  nowMs: number;
  ceilings?: CeilingsPlan['status'];
}

export function nextStatus(input: StatusInput): CostGuardStatus {
  const { guard } = input;
  const prior = guard.status ?? {};
  const stamp = { now: input.nowMs, generation: guard.metadata.generation };
  const dependents = guardReadyDependents(guard.spec, isEnforcing(guard));
  const conditions = applyGuardConditions(prior.conditions, input.conditions, dependents, stamp);
  const next: CostGuardStatus = { ...prior, observedGeneration: guard.metadata.generation, effectiveMode: effectiveMode(guard), conditions };
  if (input.ceilings) {
    delete next.scalingGroups;
    delete next.workloads;
    delete next.nodePools;
    Object.assign(next, input.ceilings);
  }
  return next;
}
