// The brake, decided: a pure function of (spec, mode, verdict, prior status, observed
// capacity, clock) that returns the next status.runaway, status.brake and the runaway's own
// status.holds, plus the alert to fire or resolve. It never writes a target itself: the
// actuator applies the holds (one writer per target field).
//
// Invariants, each table-tested:
// - A hold never exceeds the original it replaced, and the brake never raises a value.
// - Originals are recorded once, when the brake engages, and kept until it is released.
// - DryRun, pause and action Alert write no holds and no brake; they say what would happen.
// - Release only after `cooldown` of healthy signals, then in RELEASE_STEPS steps
//   (half-open); trouble during the release freezes again where it stands. Missing retry
//   data is not health: the release holds where it stands until the data is back.
// - Alerts are level-triggered: every decision says what must be true of the incident now
//   (FIRING while the brake holds or a loop is suspected; RESOLVED once Normal on healthy
//   signals). The notifier's outbox dedupes, so saying it again costs nothing.
import type { BrakeStatus, BreakerStatus, Hold, NodePoolStatus, RunawaySpec, RunawayStatus, SavedValue, ScalingGroupStatus, WorkloadStatus } from '../../api/v1alpha1/index.ts';
import type { Alert } from '../../alerting/notifier.ts';
import { parseDuration } from '../../runtime/duration.ts';
import { holdTarget } from '../shared/holds.ts';
import type { Verdict } from './verdict.ts';

export const RELEASE_STEPS = 4;
export const RUNAWAY_INCIDENT = 'runaway';

/** What runs now (the shared observation of the targets), and the fleet breaker's state. */
export interface ObservedCapacity {
  scalingGroups?: readonly Pick<ScalingGroupStatus, 'name' | 'maxSize' | 'desired'>[];
  workloads?: readonly Pick<WorkloadStatus, 'kind' | 'name' | 'replicas' | 'maxReplicas' | 'ceiling'>[];
  nodePools?: readonly Pick<NodePoolStatus, 'name' | 'limits' | 'usage'>[];
  breaker?: BreakerStatus;
}

export interface BrakeInput {
  spec: RunawaySpec;
  /** Enforce and not paused: the brake may engage. */
  act: boolean;
  /** Why not acting, for the DryRun sentence: "DryRun" or "paused". */
  notActingBecause?: string;
  verdict: Verdict;
  prior: { runaway?: RunawayStatus; brake?: BrakeStatus };
  observed: ObservedCapacity;
  nowMs: number;
  /** "namespace/name", for alert titles and undo commands. */
  guardRef: { namespace: string; name: string };
}

export type Notification = { kind: 'fire'; alert: Alert } | { kind: 'resolve'; summary: string };

export interface BrakeDecision {
  runaway: RunawayStatus;
  brake?: BrakeStatus;
  holds: Hold[];
  notify?: Notification;
  /** Human sentences for the Event of this decision, if the stage changed. */
  event?: { reason: string; message: string; warning: boolean };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The brake's next state. */
export function decideBrake(input: BrakeInput): BrakeDecision {
  const { prior, spec } = input;
  if (prior.brake && (!input.act || spec.action === 'Alert')) return standDown(input, `the brake was released because ${input.act ? 'runaway.action is Alert' : `the guard is ${input.notActingBecause ?? 'not enforcing'}`}`);
  if (prior.brake) return holdOrRelease(input, prior.brake);
  if (input.verdict.state === 'runaway') return suspect(input);
  return quiet(input);
}

function runawayStatus(input: BrakeInput, state: RunawayStatus['state'], evidence: readonly string[]): RunawayStatus {
  const since = input.prior.runaway?.state === state && input.prior.runaway.since ? input.prior.runaway.since : iso(input.nowMs);
  return { state, score: input.verdict.score, since, evidence: evidence.slice(0, 20).map((e) => e.slice(0, 512)) };
}

/**
 * No brake and no loop: Normal. RESOLVED is ensured only on signals known to be healthy: an
 * operator that just restarted (no samples yet) or a retry source that fails cannot tell a
 * loop that is over from one it cannot see, so the incident is left as it stands.
 */
function quiet(input: BrakeInput): BrakeDecision {
  const downstream = input.verdict.state === 'downstream' ? ['downstream problem, not a feedback loop: retries rise without added capacity'] : [];
  const runaway = runawayStatus(input, 'Normal', [...downstream, ...input.verdict.evidence]);
  if (!healthyNow(input.verdict)) return { runaway, holds: [] };
  const wasSuspected = input.prior.runaway?.state === 'Suspected';
  const summary = wasSuspected ? 'The runaway signature is gone: retries are back within budget.' : 'No runaway: retries are within budget and no brake holds anything.';
  return {
    runaway,
    holds: [],
    notify: { kind: 'resolve', summary },
    ...(wasSuspected ? { event: { reason: 'RunawayCleared', message: 'The runaway signature is gone; nothing was held.', warning: false } } : {}),
  };
}

/** A loop with no brake engaged yet: engage (Freeze/Shed, enforcing) or only alert. */
function suspect(input: BrakeInput): BrakeDecision {
  const plan = freezePlan(input.observed);
  const sentences = plan.saved.map(describeFreeze);
  const reason = `Runaway feedback loop suspected (score ${input.verdict.score}): ${input.verdict.evidence.slice(0, 3).join('; ')}`;
  if (!input.act || input.spec.action === 'Alert') return alertOnly(input, sentences, reason);
  const brake: BrakeStatus = { action: input.spec.action === 'Shed' ? 'Shed' : 'Freeze', engagedAt: iso(input.nowMs), reason: reason.slice(0, 1024), saved: plan.saved };
  const actions = [`Froze ${sentences.length ? sentences.join(', ') : 'no observed targets'}; workers were told to stop retrying (frozen).`];
  return {
    runaway: runawayStatus(input, 'Braking', input.verdict.evidence),
    brake,
    holds: holdsFor(brake, input, 0),
    notify: { kind: 'fire', alert: alertOf(input, actions) },
    event: { reason: 'BrakeEngaged', message: `${reason}. ${actions[0]}`.slice(0, 1024), warning: true },
  };
}

/** Alert without holds: action Alert, or DryRun/paused saying what Freeze would do. */
function alertOnly(input: BrakeInput, sentences: readonly string[], reason: string): BrakeDecision {
  const alertAction = input.act;
  const what = sentences.length ? sentences.join(', ') : 'the workers (no targets observed)';
  const would = alertAction ? [] : [`${input.notActingBecause ?? 'DryRun'}: would freeze ${what}`];
  const actions = alertAction ? ['Alert only (runaway.action is Alert): nothing was held.'] : would;
  const repeated = input.prior.runaway?.state === 'Suspected';
  return {
    runaway: runawayStatus(input, 'Suspected', [...input.verdict.evidence, ...would]),
    holds: [],
    notify: { kind: 'fire', alert: alertOf(input, actions) },
    ...(repeated ? {} : { event: { reason: 'RunawaySuspected', message: `${reason}. ${actions.join(' ')}`.slice(0, 1024), warning: true } }),
  };
}

interface FreezePlan {
  saved: SavedValue[];
}

/** What Freeze pins: every observed ASG at desired, replica ceilings at current replicas, NodePools at usage. */
export function freezePlan(observed: ObservedCapacity): FreezePlan {
  const groups = (observed.scalingGroups ?? []).map((g) => ({ target: holdTarget('asg', g.name), field: 'MaxSize', original: String(g.maxSize), held: String(Math.min(g.desired, g.maxSize)) }));
  const workloads = (observed.workloads ?? []).flatMap((w) => (w.replicas === undefined ? [] : [savedWorkload(w, w.replicas)]));
  const pools = (observed.nodePools ?? []).flatMap((p) =>
    p.usage ? [{ target: holdTarget('NodePool', p.name), field: 'spec.limits', original: JSON.stringify(p.limits ?? {}), held: JSON.stringify(p.usage) }] : [],
  );
  return { saved: [...groups, ...workloads, ...pools] };
}

/**
 * An autoscaler's maximum is pinned at the replicas running now. A Deployment's or
 * StatefulSet's ceiling field is spec.replicas itself: it is pinned where it stands, so a
 * rollout still in progress is not cut short (freezing never scales down; Shed does).
 */
function savedWorkload(w: NonNullable<ObservedCapacity['workloads']>[number], replicas: number): SavedValue {
  const original = w.maxReplicas ?? w.ceiling;
  const direct = w.kind === 'Deployment' || w.kind === 'StatefulSet';
  const held = direct ? original : Math.min(replicas, original);
  return { target: holdTarget(w.kind, w.name), field: direct ? 'spec.replicas' : 'maxReplicas', original: String(original), held: String(held) };
}

function describeFreeze(s: SavedValue): string {
  return s.field === 'spec.limits' ? `${s.target} limits at usage ${s.held}` : `${s.target} ${s.field} ${s.original}→${s.held}`;
}

/** The runaway's holds for a brake at release step `step` (0 = fully held). */
export function holdsFor(brake: BrakeStatus, input: Pick<BrakeInput, 'observed' | 'nowMs'>, step: number): Hold[] {
  const shedding = brake.action === 'Shed' && input.observed.breaker?.state === 'Open' && step === 0;
  return (brake.saved ?? []).flatMap((s) => {
    const hold = s.field === 'spec.limits' ? limitsHold(brake, s, step) : valueHold(brake, s, step, shedding);
    return hold ? [hold] : [];
  });
}

/** Quantities are not stepped: a NodePool stays at usage until the last step releases it. */
function limitsHold(brake: BrakeStatus, s: SavedValue, step: number): Hold | undefined {
  if (step >= RELEASE_STEPS) return undefined;
  return { owner: 'runaway', target: s.target, limits: JSON.parse(s.held ?? '{}') as Hold['limits'], atCurrent: true, reason: brake.reason, since: brake.engagedAt };
}

function valueHold(brake: BrakeStatus, s: SavedValue, step: number, shedding: boolean): Hold | undefined {
  const value = stepValue(Number(s.original), Number(s.held ?? s.original), step);
  if (value === undefined) return undefined;
  const shed = shedding && !s.target.startsWith('asg/') ? Math.max(1, Math.floor(value / 2)) : value;
  const reason = shed < value ? `${brake.reason} Shedding: the fleet breaker is open, consumers held at half.` : brake.reason;
  // A freeze (and every release step) is a hold at current: the actuator never applies it
  // below what runs when it writes. Shedding lowers on purpose, and what it lowers is recorded
  // and given back on release.
  return { owner: 'runaway', target: s.target, value: shed, ...(shed < value ? {} : { atCurrent: true }), reason: reason.slice(0, 1024), since: brake.engagedAt };
}

/** The held value at release step `step`, or undefined once the hold is gone. Never above original. */
export function stepValue(original: number, held: number, step: number): number | undefined {
  if (step >= RELEASE_STEPS || !Number.isFinite(original) || !Number.isFinite(held)) return undefined;
  const low = Math.min(held, original);
  return Math.min(original, low + Math.ceil(((original - low) * step) / RELEASE_STEPS));
}

function healthyNow(v: Verdict): boolean {
  return v.healthy && v.signature !== 'insufficient' && v.state === 'normal';
}

/** Neither trouble nor health: no loop now, but no retry share either (a failing or missing retry source). */
function retryUnknown(v: Verdict): boolean {
  return !v.retryKnown && v.state !== 'runaway';
}

/** What the brake holds, for the FIRING alert that stays ensured while it is engaged. */
function heldActions(brake: BrakeStatus, step: number): string[] {
  const held = (brake.saved ?? []).map(describeFreeze);
  const what = held.length ? held.join(', ') : 'no observed targets';
  if (step > 0) return [`Releasing (step ${step}/${RELEASE_STEPS}): ${what} on the way back to the originals; workers are told to stop retrying (frozen).`];
  return [`${brake.action === 'Shed' ? 'Froze (Shed)' : 'Froze'} ${what}; workers were told to stop retrying (frozen).`];
}

function stillFiring(input: BrakeInput, brake: BrakeStatus, step: number): Notification {
  return { kind: 'fire', alert: alertOf(input, heldActions(brake, step)) };
}

/** An engaged brake: keep holding, start or continue the stepped release, or finish it. */
function holdOrRelease(input: BrakeInput, brake: BrakeStatus): BrakeDecision {
  const step = brake.releaseStep ?? 0;
  if (retryUnknown(input.verdict)) return pauseRelease(input, brake, step);
  if (!healthyNow(input.verdict)) return relapse(input, brake, step);
  const healthySince = brake.healthySince ?? iso(input.nowMs);
  if (!stepDue(input, brake, healthySince)) {
    const next = { ...brake, healthySince };
    return { runaway: runawayStatus(input, step > 0 ? 'Recovering' : 'Braking', input.verdict.evidence), brake: next, holds: holdsFor(next, input, step), notify: stillFiring(input, next, step) };
  }
  const nextStep = step + 1;
  if (nextStep >= RELEASE_STEPS) return released(input);
  const next: BrakeStatus = { ...brake, healthySince, releaseStep: nextStep, stepAt: iso(input.nowMs) };
  return {
    runaway: runawayStatus(input, 'Recovering', input.verdict.evidence),
    brake: next,
    holds: holdsFor(next, input, nextStep),
    notify: stillFiring(input, next, nextStep),
    event: { reason: 'BrakeReleasing', message: `Signals healthy: release step ${nextStep}/${RELEASE_STEPS}, holds raised toward the originals.`, warning: false },
  };
}

/**
 * No retry share to judge by: the holds stay where the release stands and the cooldown starts
 * again once the data is back. A failing retry source must never release a brake mid-incident.
 */
function pauseRelease(input: BrakeInput, brake: BrakeStatus, step: number): BrakeDecision {
  const next: BrakeStatus = { ...brake };
  delete next.healthySince;
  const why = `no retry data in the recent samples: the brake holds ${step > 0 ? `at release step ${step}/${RELEASE_STEPS}` : 'where it stands'} until the retry signals are back`;
  return {
    runaway: runawayStatus(input, step > 0 ? 'Recovering' : 'Braking', [why, ...input.verdict.evidence]),
    brake: next,
    holds: holdsFor(next, input, step),
    notify: stillFiring(input, next, step),
    ...(brake.healthySince !== undefined ? { event: { reason: 'BrakeReleasePaused', message: `${why[0]!.toUpperCase()}${why.slice(1)}.`, warning: true } } : {}),
  };
}

/**
 * The first step waits a full cooldown of healthy signals; the next ones a quarter of it each.
 * A release that was halted or paused (healthy again only since after its last step) waits a
 * full cooldown again before it moves on.
 */
function stepDue(input: BrakeInput, brake: BrakeStatus, healthySince: string): boolean {
  const cooldownMs = parseDuration(input.spec.cooldown);
  const step = brake.releaseStep ?? 0;
  const since = Date.parse(healthySince);
  const restarted = brake.stepAt !== undefined && since > Date.parse(brake.stepAt);
  if (step === 0 || restarted) return input.nowMs - since >= cooldownMs;
  return input.nowMs - Date.parse(brake.stepAt ?? healthySince) >= Math.max(1000, Math.floor(cooldownMs / RELEASE_STEPS));
}

/** Trouble again: stay where the release stands (never re-raise), wait for a new cooldown. */
function relapse(input: BrakeInput, brake: BrakeStatus, step: number): BrakeDecision {
  const next: BrakeStatus = { ...brake };
  delete next.healthySince;
  const halted = step > 0 && brake.healthySince !== undefined;
  return {
    runaway: runawayStatus(input, 'Braking', input.verdict.evidence),
    brake: next,
    holds: holdsFor(next, input, step),
    notify: stillFiring(input, next, step),
    ...(halted ? { event: { reason: 'BrakeReleaseHalted', message: `Signals are unhealthy again at release step ${step}/${RELEASE_STEPS}; holding.`, warning: true } } : {}),
  };
}

function released(input: BrakeInput): BrakeDecision {
  return {
    runaway: runawayStatus(input, 'Normal', input.verdict.evidence),
    holds: [],
    notify: { kind: 'resolve', summary: `Signals healthy for ${input.spec.cooldown} and the brake released in ${RELEASE_STEPS} steps; every hold is lifted.` },
    event: { reason: 'BrakeReleased', message: 'The brake is released: every hold is lifted and the originals are back in force.', warning: false },
  };
}

/**
 * The brake lets go at once (DryRun, paused, action Alert). The incident goes on while the
 * loop does: a loop still seen stays FIRING (alert only); otherwise RESOLVED on healthy signals.
 */
function standDown(input: BrakeInput, why: string): BrakeDecision {
  const state = input.verdict.state === 'runaway' ? 'Suspected' : 'Normal';
  const sentence = `${why[0]!.toUpperCase()}${why.slice(1)}.`;
  const notify: Notification | undefined =
    state === 'Suspected' ? { kind: 'fire', alert: alertOf(input, [sentence]) } : healthyNow(input.verdict) ? { kind: 'resolve', summary: sentence } : undefined;
  return {
    runaway: runawayStatus(input, state, input.verdict.evidence),
    holds: [],
    ...(notify ? { notify } : {}),
    event: { reason: 'BrakeReleased', message: sentence, warning: false },
  };
}

function alertOf(input: BrakeInput, actions: readonly string[]): Alert {
  const { namespace, name } = input.guardRef;
  return {
    incident: RUNAWAY_INCIDENT,
    severity: 'critical',
    title: `Runaway feedback loop suspected on ${namespace}/${name} (score ${input.verdict.score})`,
    evidence: input.verdict.evidence,
    actions,
    undo: `kubectl -n ${namespace} patch costguard ${name} --type merge -p '{"spec":{"runaway":{"action":"Alert"}}}'`,
  };
}
