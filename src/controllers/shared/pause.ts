// Pause, read the same way by every controller. Only the documented value "true" pauses: a
// guard that silently kept enforcing after `paused: "yes"` is worse than one that says it
// did not understand, so any other value is reported (invalid) and the guard keeps acting.
import { PAUSED_ANNOTATION, type CostGuard } from '../../api/v1alpha1/index.ts';

export interface PauseState {
  paused: boolean;
  /** The annotation's value when it is set to anything but "true". */
  invalid?: string;
}

export function pauseState(guard: Pick<CostGuard, 'metadata'>): PauseState {
  const value = guard.metadata.annotations?.[PAUSED_ANNOTATION];
  if (value === undefined || value === 'true') return { paused: value === 'true' };
  return { paused: false, invalid: value };
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
