// Pure: the fleet breaker's state from the pods' readings, the BreakerOpen condition, and the
// holds the breaker contributes while it is open.
//
// The quorum, with n pods of which o are open, h half-open and u unknown (unreachable):
//   Open      when o reaches fleetOpenPercent of n,
//   HalfOpen  when o does not but o + h does (the workers are probing the downstream),
//   Closed    when even o + h + u does not (so no unknown pod could change the answer),
//   Unknown   otherwise: the unreachable pods could tip it either way.
// Unknown never releases a hold and never adds one: the holds stay as they were.
//
// Holds (owner "breaker"), while Open or HalfOpen, on every target the guard's ceilings observe:
// ASG MaxSize at the DesiredCapacity, workloads at their current replicas, NodePool limits at
// their usage. A hold keeps the value it was given when it began, so a fleet that scales in
// while the downstream is down can come back to where it was, and no further.
import { ConditionType, type BreakerStatus, type CostGuard, type CostGuardStatus, type Hold } from '../../api/v1alpha1/index.ts';
import { formatTime, type ConditionInput } from '../../runtime/conditions.ts';
import { holdsOf, holdTarget } from '../shared/holds.ts';
import { BreakerGauge, type PodReading } from './scrape.ts';

export type FleetState = BreakerStatus['state'];

export interface Tally {
  replicas: number;
  open: number;
  halfOpen: number;
  unknown: number;
}

export function tally(readings: readonly PodReading[]): Tally {
  const t: Tally = { replicas: readings.length, open: 0, halfOpen: 0, unknown: 0 };
  for (const r of readings) {
    if ('error' in r) t.unknown++;
    else if (r.state >= BreakerGauge.open) t.open++;
    else if (r.state >= BreakerGauge.halfOpen) t.halfOpen++;
  }
  return t;
}

export function fleetState(t: Tally, fleetOpenPercent: number): FleetState {
  if (t.replicas === 0) return 'Closed';
  const reaches = (count: number): boolean => count * 100 >= fleetOpenPercent * t.replicas;
  if (reaches(t.open)) return 'Open';
  if (reaches(t.open + t.halfOpen)) return 'HalfOpen';
  if (!reaches(t.open + t.halfOpen + t.unknown)) return 'Closed';
  return 'Unknown';
}

export interface BreakerInput {
  guard: CostGuard;
  /** "Deployment/orders": the workload whose pods were scraped. */
  workload: string;
  readings: readonly PodReading[];
  fleetOpenPercent: number;
  nowMs: number;
}

export interface BreakerDecision {
  status: BreakerStatus;
  condition: ConditionInput;
  /** The breaker's holds from now on (replaces every hold it owned). */
  holds: Hold[];
  /** Set when the state flipped between holding (Open, HalfOpen) and not (Closed). */
  transition?: 'opened' | 'closed';
}

const TYPE = ConditionType.BreakerOpen;
const holding = (s: FleetState | undefined): boolean => s === 'Open' || s === 'HalfOpen';
const MAX_LISTED = 10;

export function decideBreaker(input: BreakerInput): BreakerDecision {
  const prior = input.guard.status?.breaker;
  const t = tally(input.readings);
  const state = fleetState(t, input.fleetOpenPercent);
  const priorHolds = holdsOf(input.guard.status, 'breaker');
  const holds = state === 'Unknown' ? priorHolds : holding(state) ? breakerHolds(input.guard.status, priorHolds, input.workload, input.nowMs) : [];
  const transition = transitionOf(prior?.state, state);
  return { status: statusOf(state, t, input), condition: conditionFor(state, t, input, holds), holds, ...(transition ? { transition } : {}) };
}

function statusOf(state: FleetState, t: Tally, input: BreakerInput): BreakerStatus {
  const prior = input.guard.status?.breaker;
  const unreachable = input.readings.flatMap((r) => ('error' in r ? [`${r.pod}: ${r.error}`] : [])).slice(0, MAX_LISTED);
  return {
    state,
    openReplicas: t.open,
    halfOpenReplicas: t.halfOpen,
    unknownReplicas: t.unknown,
    replicas: t.replicas,
    ...(unreachable.length ? { unreachable } : {}),
    // No "scraped at" here: a status write on every poll of every guard would cost more than it tells.
    since: prior?.state === state && prior.since ? prior.since : formatTime(input.nowMs),
  };
}

function transitionOf(prior: FleetState | undefined, state: FleetState): BreakerDecision['transition'] {
  if (holding(state) && !holding(prior)) return 'opened';
  if (state === 'Closed' && holding(prior)) return 'closed';
  return undefined;
}

/**
 * The workers cannot be found (no workload to look at, or it does not exist): the state is not
 * known, and with no workers there is no breaker to hold for, so the breaker's holds go.
 */
export function decideWithoutWorkers(reason: 'NoWorkload' | 'WorkloadNotFound' | 'SelectorUnusable', message: string): Omit<BreakerDecision, 'status'> {
  return { condition: { type: TYPE, status: 'Unknown', reason, message }, holds: [] };
}

function conditionFor(state: FleetState, t: Tally, input: BreakerInput, holds: readonly Hold[]): ConditionInput {
  const counts = `${t.open} of ${t.replicas} replicas of ${input.workload} have an open breaker${t.halfOpen ? `, ${t.halfOpen} half-open` : ''}${t.unknown ? `, ${t.unknown} unreachable` : ''} (fleetOpenPercent ${input.fleetOpenPercent}%)`;
  const held = holds.length ? `; scale-out held at current capacity on ${listed(holds.map((h) => h.target))}` : '; no target to hold';
  switch (state) {
    case 'Open':
      return { type: TYPE, status: 'True', reason: 'FleetBreakerOpen', message: `The downstream is down for the fleet: ${counts}${held}.` };
    case 'HalfOpen':
      return { type: TYPE, status: 'True', reason: 'FleetBreakerHalfOpen', message: `The workers are probing the downstream: ${counts}${held}.` };
    case 'Unknown':
      return {
        type: TYPE,
        status: 'Unknown',
        reason: 'ReplicasUnreachable',
        message: `Cannot tell whether the fleet's breakers are open: ${counts}; unreachable pods count as unknown, never as closed, so holds stay as they were.`,
      };
    default:
      return { type: TYPE, status: 'False', reason: 'FleetBreakerClosed', message: t.replicas ? `${counts}.` : `No running pods of ${input.workload}.` };
  }
}

/** A hold on every observed target at its current capacity; an existing breaker hold keeps its value. */
function breakerHolds(status: CostGuardStatus | undefined, prior: readonly Hold[], workload: string, nowMs: number): Hold[] {
  const reason = `The fleet breaker is open (the workers of ${workload} find the downstream down): scale-out held at the capacity it had.`;
  const since = formatTime(nowMs);
  const wanted: Hold[] = [
    ...(status?.scalingGroups ?? []).map((g) => ({ owner: 'breaker' as const, target: holdTarget('asg', g.name), value: g.desired, atCurrent: true, reason, since })),
    ...(status?.workloads ?? []).flatMap((w) =>
      w.replicas === undefined ? [] : [{ owner: 'breaker' as const, target: holdTarget(w.kind, w.name), value: w.replicas, atCurrent: true, reason, since }],
    ),
    ...(status?.nodePools ?? []).flatMap((p) => (p.usage && Object.keys(p.usage).length ? [{ owner: 'breaker' as const, target: holdTarget('NodePool', p.name), limits: p.usage, atCurrent: true, reason, since }] : [])),
  ];
  return wanted.map((h) => {
    const before = prior.find((p) => p.target === h.target);
    return before ? { ...before, reason, atCurrent: true } : h;
  });
}

function listed(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
