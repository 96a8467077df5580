// Holds: how a concern other than the spec's ceilings asks for a target to be held lower.
//
// "One writer per target field" (docs/architecture.md): the runaway brake, the fleet breaker
// and the hourly cost ceiling never write MaxSize, maxReplicas or NodePool limits themselves.
// Each writes its own entries in status.holds (owner + target); the actuator reads
// them, applies the lowest of the spec ceiling and every hold, records the original before its
// first write, and restores only when the last cap on a target is gone. Pure functions only.
import type { CostGuardStatus, Hold } from '../../api/v1alpha1/index.ts';
import type { HOLD_OWNERS } from '../../api/v1alpha1/index.ts';

export type HoldOwner = (typeof HOLD_OWNERS)[number];

/** The target key holds use: "asg/<name>" or "<Kind>/<name>", the same as status targets. */
export function holdTarget(kind: 'asg' | 'Deployment' | 'StatefulSet' | 'HorizontalPodAutoscaler' | 'ScaledObject' | 'ScaledJob' | 'NodePool', name: string): string {
  return `${kind}/${name}`;
}

/** The holds one owner has written, in status order. */
export function holdsOf(status: CostGuardStatus | undefined, owner: HoldOwner): Hold[] {
  return (status?.holds ?? []).filter((h) => h.owner === owner);
}

/** Every hold on one target, whoever owns it. */
export function holdsOn(status: CostGuardStatus | undefined, target: string): Hold[] {
  return (status?.holds ?? []).filter((h) => h.target === target);
}

/**
 * The status.holds list after `owner` replaces its own entries with `mine`; other owners'
 * entries are kept untouched. A hold that is unchanged keeps its original `since`.
 */
export function replaceHolds(status: CostGuardStatus | undefined, owner: HoldOwner, mine: readonly Hold[]): Hold[] | undefined {
  const prior = status?.holds ?? [];
  const others = prior.filter((h) => h.owner !== owner);
  const kept = mine.map((h) => {
    const before = prior.find((p) => p.owner === owner && p.target === h.target);
    return before && sameCap(before, h) ? { ...h, since: before.since } : { ...h, owner };
  });
  const next = [...others, ...kept];
  return next.length ? next : undefined;
}

function sameCap(a: Hold, b: Hold): boolean {
  return a.value === b.value && JSON.stringify(a.limits ?? {}) === JSON.stringify(b.limits ?? {});
}

export interface EffectiveCap {
  /** The lowest of the spec ceiling and every integer hold on the target, at-current holds resolved. */
  value: number;
  /** "spec" when the spec ceiling binds, else the owner of the lowest hold. */
  by: 'spec' | HoldOwner;
  /** The binding hold's reason, or undefined when the spec binds. */
  reason?: string;
}

/**
 * The value a hold has at the moment of a write. A hold "at current" (the brake's freeze, the
 * fleet breaker) was sampled some time before the write; whatever the target added since is
 * running, and a MaxSize or maxReplicas below it would terminate it. So it never applies below
 * `live`, the running capacity read just before the write. Unknown live capacity leaves the
 * hold as it was sampled.
 */
export function atWriteTime(hold: { value: number; atCurrent?: boolean | undefined }, live: number | undefined): number {
  return hold.atCurrent && live !== undefined ? Math.max(hold.value, live) : hold.value;
}

/** The cap the actuator applies to an integer field: the spec ceiling lowered by any hold, resolved against `live`. */
export function effectiveCap(specCeiling: number, holds: readonly Hold[], live?: number): EffectiveCap {
  let best: EffectiveCap = { value: specCeiling, by: 'spec' };
  for (const h of holds) {
    if (h.value === undefined) continue;
    const value = atWriteTime({ value: h.value, atCurrent: h.atCurrent }, live);
    if (value < best.value) best = { value, by: h.owner, reason: h.reason };
  }
  return best;
}

/** A guard's caps on one target split for others to resolve: firm caps, and the lowest hold at current. */
export interface SplitCap {
  /** The spec ceiling and every hold that is not at current. */
  value: number;
  /** The lowest hold at current, unresolved (resolved at write time against the live capacity). */
  atCurrent?: number;
}

export function splitCap(specCeiling: number, holds: readonly Hold[]): SplitCap {
  let value = specCeiling;
  let atCurrent: number | undefined;
  for (const h of holds) {
    if (h.value === undefined) continue;
    if (h.atCurrent) atCurrent = Math.min(atCurrent ?? Infinity, h.value);
    else value = Math.min(value, h.value);
  }
  return atCurrent === undefined ? { value } : { value, atCurrent };
}

/** A split cap at write time: the lower of its firm part and its at-current part resolved against `live`. */
export function resolveSplit(cap: SplitCap, live: number | undefined): number {
  return cap.atCurrent === undefined ? cap.value : Math.min(cap.value, atWriteTime({ value: cap.atCurrent, atCurrent: true }, live));
}
