// The alert for a ceiling drift that CostGuard reverted: someone raised a ceiling field again
// above the guard's ceiling (console, Terraform, kubectl) and CostGuard put it back. Built here
// so the ceilings controller only has to call announceDriftReverted for each reverted finding.
import type { CostGuard } from '../api/v1alpha1/index.ts';
import type { Alert, Notifier } from './notifier.ts';

export interface RevertedDrift {
  /** The target as keyed in status.holds: asg/<name>, Deployment/<name>, NodePool/<name> … */
  target: string;
  /** What changed, as the ceilings controller words it (e.g. "MaxSize raised to 60 … reverted to 20"). */
  message: string;
  /** What holds the target below its spec ceiling, when something does ("the scale-out rate limit (maxScaleOut 4 per 10m)"). */
  heldBy?: string;
}

export function driftIncident(target: string): string {
  return `drift/${target}`;
}

export function driftRevertedAlert(guard: CostGuard, drift: RevertedDrift, act: boolean): Alert {
  const { namespace = '', name = '' } = guard.metadata;
  return {
    incident: driftIncident(drift.target),
    severity: 'warning',
    title: `${drift.target} was raised above its ceiling${act ? ' and reverted' : ' (DryRun: not reverted)'}`,
    evidence: [drift.message],
    actions: [act ? `CostGuard set ${drift.target} back to ${drift.heldBy ? `what ${drift.heldBy} allows` : 'the ceiling'} of CostGuard ${namespace}/${name}.` : 'DryRun: nothing was changed.'],
    // Pausing stops every action of the guard; raising the ceiling in the spec is the lasting fix.
    undo: `kubectl annotate costguard ${name} -n ${namespace} costguard.io/paused=true --overwrite   # then raise the ceiling: kubectl edit costguard ${name} -n ${namespace}`,
  };
}

/** Fires the drift alert; resolve it with resolveDrift once the target stays at its ceiling. */
export function announceDriftReverted(notifier: Notifier, guard: CostGuard, drift: RevertedDrift, act = true): Promise<void> {
  return notifier.fire(guard, driftRevertedAlert(guard, drift, act));
}

export function resolveDrift(notifier: Notifier, guard: CostGuard, target: string): Promise<void> {
  return notifier.resolve(guard, driftIncident(target), `${target} is back at or below its ceiling.`);
}
