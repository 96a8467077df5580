// Event constructors of the ceilings controller: one reason per kind of news.
import type { EventSpec, ObjectReference } from '../../runtime/events.ts';
import { normalEvent, warningEvent } from '../../runtime/events.ts';
import { invalidPauseMessage, unknownAnnotationsMessage } from '../shared/pause.ts';
import { missingText, unmatchedText, type Missing, type Scope } from './messages.ts';
import type { Finding } from '../actuator/plan.ts';

export function findingEvent(regarding: ObjectReference, finding: Finding, act: boolean): EventSpec {
  if (!act) return normalEvent(regarding, 'WouldClamp', finding.message);
  if (finding.reason === 'Released') return normalEvent(regarding, 'CeilingReleased', finding.message);
  if (finding.drift) return warningEvent(regarding, 'DriftReverted', finding.message);
  return warningEvent(regarding, 'CeilingClamped', finding.message);
}

export function missingEvent(regarding: ObjectReference, missing: Missing, scope: Scope): EventSpec {
  return warningEvent(regarding, 'TargetNotFound', missingText(missing, scope));
}

export function unmatchedEvent(regarding: ObjectReference, selectors: readonly string[], scope: Scope): EventSpec {
  return warningEvent(regarding, 'NoTargetsMatched', unmatchedText(selectors, scope));
}

export function invalidPauseEvent(regarding: ObjectReference, value: string, mode: 'DryRun' | 'Enforce'): EventSpec {
  return warningEvent(regarding, 'InvalidPause', invalidPauseMessage(value, mode));
}

export function unknownAnnotationsEvent(regarding: ObjectReference, unknown: readonly string[], mode: 'DryRun' | 'Enforce'): EventSpec {
  return warningEvent(regarding, 'UnknownAnnotation', unknownAnnotationsMessage(unknown, mode));
}

export function failedEvent(regarding: ObjectReference, failures: readonly string[]): EventSpec {
  return warningEvent(regarding, 'ClampFailed', `Could not clamp: ${failures.join('; ')}`);
}

/** Ceilings the targets cannot take (cpu/memory on a static NodePool, a ScaledObject's minReplicaCount above the ceiling). */
export function notApplicableEvent(regarding: ObjectReference, sentences: readonly string[]): EventSpec {
  return warningEvent(regarding, 'CeilingNotApplicable', `${sentences.join('. ')}.`);
}

export function invalidSpecEvent(regarding: ObjectReference, message: string): EventSpec {
  return warningEvent(regarding, 'InvalidSpec', message);
}

export function observeFailedEvent(regarding: ObjectReference, message: string): EventSpec {
  return warningEvent(regarding, 'ObserveFailed', message);
}

/** onDelete Restore: `summary` names each value written (field, from, to) and each left alone and why. */
export function restoredEvent(regarding: ObjectReference, summary: string, policy: 'Restore' | 'Keep' = 'Restore'): EventSpec {
  return normalEvent(regarding, policy === 'Keep' ? 'Kept' : 'Restored', summary);
}

export function restoreFailedEvent(regarding: ObjectReference, message: string): EventSpec {
  return warningEvent(regarding, 'RestoreFailed', message);
}
