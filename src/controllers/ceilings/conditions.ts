// Pure: the ceilings controller's conditions from what it planned, applied and failed at.
import { ConditionType } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import type { CeilingsPlan } from './plan.ts';

export interface Outcome {
  plan: CeilingsPlan;
  mode: 'DryRun' | 'Enforce';
  paused: boolean;
  /** Failed actions, as "target: reason" sentences. */
  failures: string[];
  targetCount: number;
}

const list = (items: readonly string[], max = 5): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

function enforced(o: Outcome): ConditionInput {
  const type = ConditionType.CeilingsEnforced;
  const pending = o.plan.findings.map((f) => f.target);
  if (o.paused) return { type, status: 'False', reason: 'Paused', message: `costguard.io/paused is "true": observing only${pending.length ? `; pending: ${list(pending)}` : ''}.` };
  if (o.plan.missing.length) return { type, status: 'False', reason: 'TargetNotFound', message: `Not found: ${list(o.plan.missing)}.` };
  if (o.failures.length) return { type, status: 'False', reason: 'ActionFailed', message: `Could not clamp: ${list(o.failures, 3)}.` };
  if (o.mode === 'DryRun' && pending.length) return { type, status: 'False', reason: 'DryRun', message: `DryRun: would clamp ${list([...new Set(pending)])}.` };
  const suffix = o.mode === 'DryRun' ? ' (DryRun)' : '';
  const all = `All ${o.targetCount} targets are at or below their ceilings${suffix}`;
  if (o.plan.overlaps.length) {
    return { type, status: 'True', reason: 'Conflict', message: `${all}; other guards name the same targets and the lowest ceiling applies: ${list(o.plan.overlaps, 3)}.` };
  }
  if (o.plan.recentDrift.length) {
    return { type, status: 'True', reason: 'DriftReverted', message: `${all}; within the last hour CostGuard reverted values raised again on ${list(o.plan.recentDrift)}.` };
  }
  return { type, status: 'True', reason: 'WithinCeilings', message: `${all}.` };
}

function reached(o: Outcome): ConditionInput {
  const type = ConditionType.CeilingReached;
  if (!o.plan.binding.length) return { type, status: 'False', reason: 'BelowCeilings', message: 'No target is at its ceiling.' };
  return { type, status: 'True', reason: 'CeilingBinding', message: `Demand is at the ceiling: ${list(o.plan.binding)}.` };
}

function degraded(o: Outcome): ConditionInput {
  const type = ConditionType.Degraded;
  if (o.plan.missing.length) return { type, status: 'True', reason: 'TargetNotFound', message: `The spec names targets that do not exist: ${list(o.plan.missing)}.` };
  if (o.failures.length) return { type, status: 'True', reason: 'ActionFailed', message: list(o.failures, 3) };
  return { type, status: 'False', reason: 'AsExpected', message: 'Every target was observed and handled.' };
}

export function ceilingConditions(o: Outcome): ConditionInput[] {
  return [enforced(o), reached(o), degraded(o)];
}
