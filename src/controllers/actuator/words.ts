// The words the actuator writes into findings and lastAction: a tag selector as the user wrote
// it, when CostGuard last set a drifted value, and a value a release will raise. Pure.
import type { ScalingGroupStatus } from '../../api/v1alpha1/index.ts';
import type { Cap } from './caps.ts';

const CLAMPED_MAX = /^clamped MaxSize \d+ → (\d+)/;

/** `{team: paymnets, env: prod}`: a tag selector as the user wrote it. */
export function selectorText(tags: Readonly<Record<string, string>>): string {
  return `{${Object.entries(tags).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
}

/**
 * Drift's "since": the MaxSize CostGuard last wrote and when. First the write tagged on the
 * group itself (costguard.io/clamped-at beside the clamped value: no other writer touches it),
 * then status.maxSizeSet, then, from a status written before either existed, an acting
 * lastAction that set MaxSize. Pause and DryRun change none of them, so the value and time stay
 * those of CostGuard's own write.
 */
export function driftSince(prior: ScalingGroupStatus | undefined, ceiling: number, tagged?: { value: number; time?: string }): string {
  if (tagged?.time !== undefined) return ` (CostGuard set ${tagged.value} at ${tagged.time})`;
  if (prior?.maxSizeSet) return ` (CostGuard set ${prior.maxSizeSet.value} at ${prior.maxSizeSet.time})`;
  const last = prior?.lastAction;
  const set = last?.message.match(CLAMPED_MAX)?.[1];
  if (last && set !== undefined) return ` (CostGuard set ${set} at ${last.time})`;
  // A record tagged before the time was: it still says what CostGuard set.
  if (tagged !== undefined) return ` (CostGuard set ${tagged.value})`;
  return ` (above the ceiling ${ceiling} CostGuard holds)`;
}

/** One value CostGuard clamped whose ceiling is now above it, as written ("400", "1600Gi", 10). */
export interface RaisedValue {
  ref: string;
  field: string;
  value: string | number;
  ceiling: string | number;
  original: string | number;
  /** min(ceiling, original): how far a release goes. */
  release: string | number;
}

/** Who holds a value below its spec ceiling, for "… keeps it at 8": the rate limit, a hold, another guard. */
export function holderText(cap: Cap): string {
  if (cap.by === 'rate') return `the scale-out rate limit (${cap.why ?? 'maxScaleOut'})`;
  if (cap.by.startsWith('guard ')) return `${cap.by}${cap.why ? ` (${cap.why})` : ''}`;
  return `the ${cap.by} hold${cap.why ? ` (${cap.why})` : ''}`;
}

/** "MaxSize 40 → 20", "spec.limits.cpu 1000 → 400": one write with its values, for lists of would-be changes. */
export function changeValues(c: { field: string; from: number | string | undefined; to: number | string | undefined }): string {
  return `${c.field} ${c.from ?? 'unset'} → ${c.to ?? 'unset'}`;
}
