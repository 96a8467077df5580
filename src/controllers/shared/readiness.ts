// Ready for a whole CostGuard. Several controllers (ceilings, concurrency, runaway, cost,
// alerts) each write their own conditions; Ready must be derived from all of them the same
// way whichever controller writes last, so the rule lives here once.
import { ConditionType, type CostGuardSpec } from '../../api/v1alpha1/index.ts';
import { deriveReady, setCondition, type Condition, type ConditionInput, type ReadyDependents, type Stamp } from '../../runtime/conditions.ts';

/** True when the spec names any ceiling target (ASG, NodePool or workload). */
export function hasCeilingTargets(spec: CostGuardSpec): boolean {
  return Boolean(spec.scalingGroups?.length || spec.nodePools?.length || spec.workloads?.length);
}

/**
 * The conditions Ready depends on for this spec: CeilingsEnforced when the guard enforces
 * ceilings, one condition per optional section present in the spec, and never Degraded.
 */
export function guardReadyDependents(spec: CostGuardSpec, enforcing: boolean): ReadyDependents {
  const positive: string[] = [];
  if (enforcing && hasCeilingTargets(spec)) positive.push(ConditionType.CeilingsEnforced);
  if (spec.concurrency || spec.breaker) positive.push(ConditionType.ConcurrencyPublished);
  if (spec.runaway) positive.push(ConditionType.RunawayWatched);
  if (spec.cost) positive.push(ConditionType.CostTracked);
  if (spec.alerts) positive.push(ConditionType.AlertsReady);
  // RunawaySuspected Unknown (a signal failing or missing) leaves the guard working, but Ready names it.
  return { positive, negative: [ConditionType.Degraded], ...(spec.runaway ? { unknownNamed: [ConditionType.RunawaySuspected] } : {}) };
}

/** Sets `inputs` on `prior` and re-derives Ready for the whole guard. */
export function applyGuardConditions(
  prior: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  dependents: ReadyDependents,
  stamp: Stamp,
): Condition[] {
  let conditions = [...(prior ?? [])];
  for (const c of inputs) conditions = setCondition(conditions, c, stamp);
  return deriveReady(conditions, dependents, stamp);
}
