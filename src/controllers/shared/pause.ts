// Pause, read the same way by every controller. Only the documented value "true" pauses: a
// guard that silently kept enforcing after `paused: "yes"` is worse than one that says it
// did not understand, so any other value is reported (invalid) and the guard keeps acting.
import { PAUSED_ANNOTATION, type CostGuard } from '../../api/v1alpha1/index.ts';

export interface PauseState {
  paused: boolean;
  /** The annotation's value when it is set to anything but "true". */
  invalid?: string;
  /** costguard.io/* annotations CostGuard does not read (a misspelled pause is one), sorted. */
  unknown?: string[];
}

/** The costguard.io/* annotations on a guard that CostGuard reads or writes; any other is a typo until proven otherwise. */
export const KNOWN_ANNOTATIONS: readonly string[] = [PAUSED_ANNOTATION, 'costguard.io/budget-created'];

export function pauseState(guard: Pick<CostGuard, 'metadata'>): PauseState {
  const annotations = guard.metadata.annotations ?? {};
  const unknown = Object.keys(annotations).filter((k) => k.startsWith('costguard.io/') && !KNOWN_ANNOTATIONS.includes(k)).sort();
  const extra = unknown.length ? { unknown } : {};
  const value = annotations[PAUSED_ANNOTATION];
  if (value === undefined || value === 'true') return { paused: value === 'true', ...extra };
  return { paused: false, invalid: value, ...extra };
}

/** The sentence for costguard.io/* annotations CostGuard does not read: they are ignored, and what it does instead. */
export function unknownAnnotationsMessage(unknown: readonly string[], mode: 'DryRun' | 'Enforce'): string {
  const doing = mode === 'Enforce' ? 'keeps enforcing' : 'keeps running in DryRun';
  const names = unknown.join(', ');
  return `Unknown annotation${unknown.length > 1 ? 's' : ''} ${names}: CostGuard reads only ${PAUSED_ANNOTATION} ("true" pauses the guard), so ${unknown.length > 1 ? 'they are' : 'it is'} ignored and CostGuard ${doing}. Fix the name or remove ${unknown.length > 1 ? 'them' : 'it'}.`;
}

export type EffectiveMode = 'Enforce' | 'DryRun' | 'Paused';

/** What the guard does right now: the MODE column of `kubectl get costguards`. */
export function effectiveMode(guard: Pick<CostGuard, 'metadata' | 'spec'>): EffectiveMode {
  if (pauseState(guard).paused) return 'Paused';
  return guard.spec.mode === 'Enforce' ? 'Enforce' : 'DryRun';
}

/** True when CostGuard changes targets for this guard: Enforce and not paused. */
export function isEnforcing(guard: Pick<CostGuard, 'metadata' | 'spec'>): boolean {
  return effectiveMode(guard) === 'Enforce';
}

/** The sentence for a pause annotation CostGuard does not understand. */
export function invalidPauseMessage(value: string, mode: 'DryRun' | 'Enforce'): string {
  const doing = mode === 'Enforce' ? 'keeps enforcing' : 'keeps running in DryRun';
  return `${PAUSED_ANNOTATION} is ${JSON.stringify(value)}; only "true" pauses a guard, so CostGuard ${doing}. Set it to "true" to pause, or remove it.`;
}
