// Pure: the ceilings controller's conditions from what it planned, applied and failed at.
// Each message says what is true now, in the words a user reads in `kubectl describe`.
import { ConditionType, PAUSED_ANNOTATION } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { invalidPauseMessage, unknownAnnotationsMessage } from '../shared/pause.ts';
import { missingText, raisedCeilingsText, unmatchedText, type Scope } from './messages.ts';
import type { CeilingsPlan } from '../actuator/plan.ts';

export interface Outcome {
  plan: CeilingsPlan;
  mode: 'DryRun' | 'Enforce';
  paused: boolean;
  /** The pause annotation's value when it is not "true" (so not paused). */
  invalidPause?: string;
  /** costguard.io/* annotations CostGuard does not read (a misspelled pause). */
  unknownAnnotations?: readonly string[];
  /** Failed actions, as "target: reason" sentences. */
  failures: string[];
  targetCount: number;
  scope: Scope;
}

const list = (items: readonly string[], max = 5): string => {
  const unique = [...new Set(items)];
  return unique.length <= max ? unique.join(', ') : `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
};

/** "asg/g MaxSize 40 → 20": each would-be write with its values, so a DryRun condition says how far, not only where. */
function wouldBe(o: Outcome): string[] {
  return o.plan.findings.map((f) => (f.values ? `${f.target} ${f.values}` : f.target));
}

function pausedCondition(o: Outcome): ConditionInput {
  const pending = wouldBe(o);
  const tail = pending.length ? `; would change ${list(pending)} (Paused)` : '';
  return { type: ConditionType.CeilingsEnforced, status: 'False', reason: 'Paused', message: `Paused: ${PAUSED_ANNOTATION} is "true", so CostGuard observes and changes nothing${tail}.${raisedAfter(o)}` };
}

/** The first thing that keeps the ceilings from being enforced, if any. */
function notEnforced(o: Outcome): ConditionInput | undefined {
  const type = ConditionType.CeilingsEnforced;
  if (o.paused) return pausedCondition(o);
  if (o.plan.missing.length) return { type, status: 'False', reason: 'TargetNotFound', message: missingText(o.plan, o.scope) };
  if (o.plan.unmatched.length) return { type, status: 'False', reason: 'NoTargetsMatched', message: unmatchedText(o.plan.unmatched, o.scope) };
  if (o.failures.length) return { type, status: 'False', reason: 'ActionFailed', message: `Could not clamp: ${list(o.failures, 3)}.` };
  if (o.plan.notApplicable.length) return { type, status: 'False', reason: 'CeilingNotApplicable', message: `${o.plan.notApplicable.join('. ')}.` };
  const pending = wouldBe(o);
  if (o.mode === 'DryRun' && pending.length) return { type, status: 'False', reason: 'DryRun', message: `DryRun: would change ${list(pending)}.${raisedAfter(o)}` };
  return undefined;
}

/** " The ceiling of … is now …": what happens next to values below a raised ceiling. */
function raisedAfter(o: Outcome): string {
  const raised = raisedCeilingsText(o.plan.status, { act: o.mode === 'Enforce' && !o.paused, paused: o.paused }, o.plan.raisedLimits, o.plan.heldBy);
  return raised ? ` ${raised}` : '';
}

function enforced(o: Outcome): ConditionInput {
  const blocked = notEnforced(o);
  if (blocked) return blocked;
  const type = ConditionType.CeilingsEnforced;
  const suffix = o.mode === 'DryRun' ? ' (DryRun)' : '';
  const all = `${o.targetCount === 1 ? 'The one target is at or below its ceiling' : `All ${o.targetCount} targets are at or below their ceilings`}${suffix}`;
  const after = raisedAfter(o);
  if (o.plan.overlaps.length) {
    return { type, status: 'True', reason: 'Conflict', message: `${all}; other guards name the same targets and the lowest ceiling applies: ${list(o.plan.overlaps, 3)}.` };
  }
  if (o.plan.recentDrift.length) {
    return { type, status: 'True', reason: 'DriftReverted', message: `${all}; within the last hour CostGuard reverted values raised again on ${list(o.plan.recentDrift)}.${after}` };
  }
  return { type, status: 'True', reason: 'WithinCeilings', message: `${all}.${after}` };
}

/**
 * CeilingReached: demand is held back right now — by a ceiling or the scale-out rate limit
 * while acting, or (DryRun, paused) would be, because a target is above its ceiling.
 */
function reached(o: Outcome): ConditionInput {
  const type = ConditionType.CeilingReached;
  const binding = [...new Set(o.plan.binding)];
  if (!binding.length) return { type, status: 'False', reason: 'BelowCeilings', message: 'No target is at its ceiling.' };
  const acting = o.mode === 'Enforce' && !o.paused;
  const pending = new Set(o.plan.findings.map((f) => f.target));
  const above = acting ? [] : binding.filter((t) => pending.has(t));
  const at = binding.filter((t) => !above.includes(t));
  const why = o.paused ? 'Paused' : 'DryRun';
  const sentences = [
    ...(above.length ? [`Above the ceiling and not clamped (${why}): ${list(above)}.`] : []),
    ...(at.length ? [`Demand is held back by a ceiling or the scale-out rate limit: ${list(at)}.`] : []),
  ];
  return { type, status: 'True', reason: 'CeilingBinding', message: sentences.join(' ') };
}

function degraded(o: Outcome): ConditionInput {
  const type = ConditionType.Degraded;
  // First: the user asked for a pause that did not happen, and CostGuard is still acting.
  if (o.invalidPause !== undefined) return { type, status: 'True', reason: 'InvalidPause', message: invalidPauseMessage(o.invalidPause, o.mode) };
  if (o.unknownAnnotations?.length) return { type, status: 'True', reason: 'UnknownAnnotation', message: unknownAnnotationsMessage(o.unknownAnnotations, o.mode) };
  if (o.plan.missing.length) return { type, status: 'True', reason: 'TargetNotFound', message: missingText(o.plan, o.scope) };
  if (o.plan.unmatched.length) return { type, status: 'True', reason: 'NoTargetsMatched', message: unmatchedText(o.plan.unmatched, o.scope) };
  if (o.failures.length) return { type, status: 'True', reason: 'ActionFailed', message: list(o.failures, 3) };
  return { type, status: 'False', reason: 'AsExpected', message: 'Every target was observed and handled.' };
}

export function ceilingConditions(o: Outcome): ConditionInput[] {
  return [enforced(o), reached(o), degraded(o)];
}
