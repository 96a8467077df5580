// Holds: how a concern other than the spec's ceilings asks for a target to be held lower.
//
// "One writer per target field" (docs/architecture.md): the runaway brake, the fleet breaker
// and the hourly cost ceiling never write MaxSize, maxReplicas or NodePool limits themselves.
// Each writes its own entries in status.holds (owner + target); the ceilings actuator reads
// them, applies the lowest of the spec ceiling and every hold, records the original before its
// first write, and restores only when the last cap on a target is gone. Pure functions only.
import type { CostGuardStatus, Hold } from '../../api/v1alpha1/index.ts';
import type { HOLD_OWNERS } from '../../api/v1alpha1/index.ts';

export type HoldOwner = (typeof HOLD_OWNERS)[number];

/** The target key holds use: "asg/<name>" or "<Kind>/<name>", the same as status targets. */
export function holdTarget(kind: 'asg' | 'Deployment' | 'StatefulSet' | 'HorizontalPodAutoscaler' | 'ScaledObject' | 'NodePool', name: string): string {
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
  /** The lowest of the spec ceiling and every integer hold on the target. */
  value: number;
  /** "spec" when the spec ceiling binds, else the owner of the lowest hold. */
  by: 'spec' | HoldOwner;
  /** The binding hold's reason, or undefined when the spec binds. */
  reason?: string;
}

/** The cap the actuator applies to an integer field: the spec ceiling lowered by any hold. */
export function effectiveCap(specCeiling: number, holds: readonly Hold[]): EffectiveCap {
  let best: EffectiveCap = { value: specCeiling, by: 'spec' };
  for (const h of holds) {
    if (h.value !== undefined && h.value < best.value) best = { value: h.value, by: h.owner, reason: h.reason };
  }
  return best;
}
