// Pure: the cap the actuator applies to one target field. It is the lowest of
// - the guard's own spec ceiling,
// - every hold in the guard's status.holds on that target (runaway brake, fleet breaker, cost),
// - the ceilings of other guards that name the same target (two guards never fight: the
//   lowest wins, and each reports the overlap).
// The winner is kept with who set it, so findings and status say which cap binds.
import type { CostGuardStatus, Hold } from '../../api/v1alpha1/index.ts';
import type { PeerCeiling } from '../targets/observed.ts';
import { effectiveCap, resolveSplit } from '../shared/holds.ts';
import type { Holding } from './holders-decide.ts';

export interface Cap {
  value: number;
  /** "spec", a hold owner ("runaway", "breaker", "cost"), or "guard <namespace>/<name>". */
  by: string;
  /** The hold's reason, or the other guard's ceiling in words. */
  why?: string;
}

/** Another guard's cap on a target, with that guard's name; `atCurrent`: its lowest hold at current, unresolved. */
export interface PeerCap {
  guard: string;
  value: number;
  atCurrent?: number;
}

/**
 * The lowest of the spec ceiling, this guard's holds and the peers' caps, with every hold at
 * current resolved against `live` (the running capacity read just before the write). Ties go
 * to the spec, then holds.
 */
export function capOf(specCeiling: number, holds: readonly Hold[], peers: readonly PeerCap[] = [], live?: number): Cap {
  const own = effectiveCap(specCeiling, holds, live);
  let best: Cap = own.by === 'spec' ? { value: own.value, by: 'spec' } : { value: own.value, by: own.by, ...(own.reason ? { why: own.reason } : {}) };
  for (const p of peers) {
    const value = resolveSplit(p, live);
    if (value < best.value) best = { value, by: `guard ${p.guard}`, why: `its ceiling is ${value}` };
  }
  return best;
}

/** " (held by runaway: brake engaged)", " (held by the scale-out rate limit, maxScaleOut 4 per 10m)", " (guard team-b/orders: its ceiling is 10)", or "" for the spec. */
export function capSuffix(cap: Cap): string {
  if (cap.by === 'spec') return '';
  if (cap.by === 'rate') return ` (held by the scale-out rate limit, ${cap.why ?? 'maxScaleOut'})`;
  return ` (${cap.by.startsWith('guard ') ? cap.by : `held by ${cap.by}`}${cap.why ? `: ${cap.why}` : ''})`;
}

/** The peers that overlap this guard on a target, as "ns/name" strings (for the Conflict reason). */
export function overlapping(peers: readonly PeerCap[]): string[] {
  return [...new Set(peers.map((p) => p.guard))].sort();
}

/** What the pure plan reads besides the observation: the guard's own status (holds, rate-limit memory) and its peers. */
export interface PlanInputs {
  /** "<namespace>/<name>" of the guard being planned: written as the records' owner. */
  owner: string;
  status: CostGuardStatus | undefined;
  peers: readonly PeerCeiling[];
  /** Who this guard is on the targets' records; without it, holders are neither read nor written. */
  holding?: Holding;
}

/** The peers' integer caps on one target: the peer entries themselves (no copy: with many guards on a target this runs per reconcile). */
export function peerCapsOn(inputs: PlanInputs, target: string): PeerCap[] {
  return inputs.peers.filter((p): p is PeerCeiling & PeerCap => p.target === target && p.value !== undefined);
}
