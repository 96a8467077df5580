// The runaway controller: sample the guard's signals once per interval (capacity from the
// shared observation of its targets, the same view the actuator plans from), run the detector,
// decide the brake (pure, brake-decide.ts), ensure the alert the decision calls for in the
// durable outbox, then write status.runaway, status.brake, the runaway's own status.holds and
// its conditions in one status write. The outbox comes first: a crash between the two leaves
// an alert recorded for a brake not yet written (the next reconcile engages it and finds the
// alert already there), never a brake whose alert is lost. The actuator applies the
// holds; the concurrency controller publishes `frozen` while status.brake exists.
import { ConditionType, type BrakeStatus, type CostGuard, type CostGuardStatus, type RunawayStatus } from '../../api/v1alpha1/index.ts';
import type { Notifier } from '../../alerting/notifier.ts';
import { removeCondition, type ConditionInput } from '../../runtime/conditions.ts';
import { deepEqual } from '../../runtime/equality.ts';
import { parseDuration, formatDuration } from '../../runtime/duration.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { normalEvent, objectReference, warningEvent } from '../../runtime/events.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { takeSample } from '../../signals/source.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../resources.ts';
import { replaceHolds } from '../shared/holds.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import type { CapacityView } from '../targets/capacity.ts';
import { applyTenancy, OPEN_POLICY, permittedGuard, refusalsUnder, type TenancyPolicy } from '../targets/tenancy.ts';
import { capacityOf } from '../../signals/capacity.ts';
import type { SourceFailure } from '../../signals/source.ts';
import { decideBrake, RUNAWAY_INCIDENT, type BrakeDecision } from './brake-decide.ts';
import { runawayConditions } from './conditions.ts';
import type { RunawayMetrics } from './metrics.ts';
import { buildSources, type SignalServices } from './sources.ts';
import { SampleStore, type GuardSamples } from './store.ts';
import { evaluate, type Verdict } from './verdict.ts';
import { pauseState } from '../shared/pause.ts';

export interface RunawayDeps {
  guards: Informer<CostGuard>;
  services: SignalServices;
  notifier: Notifier;
  metrics: RunawayMetrics;
  defaultRegion: string;
  /** The sampling interval (default 30 s). */
  sampleIntervalMs?: number;
  /** The guard's targets as they run now, through the shared observation, no older than maxAgeMs. */
  capacity(guard: CostGuard, maxAgeMs: number): Promise<CapacityView>;
  /** Which namespaces may read AWS, under which roles (default: open). Refused signals are never read. */
  tenancy?: TenancyPolicy;
}

const DEFAULT_INTERVAL_MS = 30_000;

/** Score moves this much before status is rewritten while the state holds. */
const SCORE_STEP = 10;

/** A duration in evidence ("in 29m30s"): it ticks with the window, not with what was seen. */
const DURATION = /\b\d+(?:\.\d+)?(?:ms|h|m|s|d)(?:\d+(?:\.\d+)?(?:ms|h|m|s))*\b/g;

/**
 * The runaway status to write: the last sample's evidence, so status is never older than the
 * last sample. Only while the state holds, the score moves little and the evidence differs in
 * nothing but its durations ("in 29m30s" ticking to "in 30m") does the prior stay, so a steady
 * guard is not rewritten every sample for the clock alone.
 */
export function steady(prior: RunawayStatus | undefined, next: RunawayStatus): RunawayStatus {
  if (!prior || prior.state !== next.state || Math.abs((prior.score ?? 0) - (next.score ?? 0)) >= SCORE_STEP) return next;
  const facts = (r: RunawayStatus): string => JSON.stringify((r.evidence ?? []).map((e) => e.replace(DURATION, '…')));
  return facts(prior) === facts(next) ? prior : next;
}

/** True when the runaway's own fields and conditions would be written as they already are. */
export function unchanged(prior: CostGuardStatus, mine: { runaway: RunawayStatus; brake: BrakeStatus | undefined; holds: CostGuardStatus['holds']; inputs: readonly ConditionInput[] }): boolean {
  const same = (a: unknown, b: unknown): boolean => deepEqual(a ?? null, b ?? null);
  const conditionsSame = mine.inputs.every((c) => {
    const p = prior.conditions?.find((x) => x.type === c.type);
    return p !== undefined && p.status === c.status && p.reason === c.reason && p.message === c.message;
  });
  return conditionsSame && same(prior.runaway, mine.runaway) && same(prior.brake, mine.brake) && same(prior.holds, mine.holds);
}

/** Why the brake may not act: "paused", "DryRun", or undefined when it may. */
function notActing(guard: CostGuard): string | undefined {
  if (pauseState(guard).paused) return 'paused';
  return guard.spec.mode === 'Enforce' ? undefined : 'DryRun';
}

function priorOf(status: CostGuardStatus | undefined): { runaway?: RunawayStatus; brake?: BrakeStatus } {
  return { ...(status?.runaway ? { runaway: status.runaway } : {}), ...(status?.brake ? { brake: status.brake } : {}) };
}
/** The sources a guard samples, by name: capacity (from the shared observation) and its signal sources. */
function sourceNames(entry: GuardSamples): string[] {
  return ['capacity', ...entry.sources.map((s) => s.name)];
}

/** Status says the runaway incident may be firing: a brake, or a state other than Normal. */
function incidentOpen(status: CostGuardStatus): boolean {
  return status.brake !== undefined || (status.runaway !== undefined && status.runaway.state !== 'Normal');
}

const RUNAWAY_CONDITIONS = [ConditionType.RunawayWatched, ConditionType.RunawaySuspected, ConditionType.BrakeEngaged];

/**
 * The guards this controller has anything to do with: a runaway section, or what it wrote for
 * one that is gone (unwatch cleans that once, the brake with it), or a deletion.
 */
export function runawayConcerns(guard: CostGuard): boolean {
  if (guard.spec.runaway || isBeingDeleted(guard)) return true;
  const status = guard.status ?? {};
  const mine = (status.holds ?? []).some((h) => h.owner === 'runaway');
  return Boolean(status.runaway || status.brake || mine || RUNAWAY_CONDITIONS.some((t) => status.conditions?.some((c) => c.type === t)));
}

export class RunawayReconciler implements Reconciler {
  readonly name = 'runaway';
  private readonly deps: RunawayDeps;
  private readonly store = new SampleStore();
  /**
   * Guards whose runaway incident this process has seen resolved (or never firing). Ensuring
   * RESOLVED again would be free in the outbox but would read it: this keeps a quiet guard's
   * reconciles free of API calls. Forgotten when the incident fires, and on restart.
   */
  private readonly resolved = new Set<string>();

  constructor(deps: RunawayDeps) {
    this.deps = deps;
  }

  private get intervalMs(): number {
    return this.deps.sampleIntervalMs ?? DEFAULT_INTERVAL_MS;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const guard = this.deps.guards.getByKey(key);
    if (!guard || isBeingDeleted(guard)) return this.forget(key, guard);
    const { namespace = '', name = '' } = guard.metadata;
    if (!guard.spec.runaway) return this.unwatch(key, guard, ctx);
    const entry = await this.sample(key, guard, ctx);
    const verdict = entry.verdict ?? evaluate(entry.memory, entry.samples, ctx.clock.now() / 1000, this.detectorOptions(guard)).verdict;
    const notActingBecause = notActing(guard);
    const decision = decideBrake({
      spec: guard.spec.runaway,
      act: notActingBecause === undefined,
      ...(notActingBecause ? { notActingBecause } : {}),
      verdict,
      prior: priorOf(guard.status),
      observed: { ...entry.capacity, ...(guard.status?.breaker ? { breaker: guard.status.breaker } : {}) },
      nowMs: ctx.clock.now(),
      guardRef: { namespace, name },
    });
    await this.announce(key, guard, decision, ctx);
    await this.write(guard, { decision, verdict, entry, notActingBecause }, ctx);
    this.record(namespace, name, decision, entry);
    return { requeueAfter: Math.max(1, (entry.lastSampleAt ?? 0) + this.intervalMs - ctx.clock.now()) };
  }

  private forget(key: string, guard: CostGuard | undefined): void {
    this.store.forget(key);
    this.resolved.delete(key);
    if (guard) this.deps.metrics.forget(guard.metadata.namespace ?? '', guard.metadata.name ?? '');
  }

  private record(namespace: string, name: string, decision: BrakeDecision, entry: GuardSamples): void {
    this.deps.metrics.set(namespace, name, {
      suspected: decision.runaway.state !== 'Normal',
      score: decision.runaway.score ?? 0,
      brake: decision.brake !== undefined,
      failing: entry.failures.map((f) => f.source),
      sources: sourceNames(entry),
    });
  }

  private detectorOptions(guard: CostGuard) {
    const spec = guard.spec.runaway!;
    return { windowSeconds: parseDuration(spec.window) / 1000, retryBudgetPercent: spec.retryBudgetPercent, intervalSeconds: this.intervalMs / 1000 };
  }

  /** Takes a sample when one is due; reconciles in between reuse the last verdict. */
  private async sample(key: string, raw: CostGuard, ctx: ReconcileContext): Promise<GuardSamples> {
    // One boundary: the signals are built from the guard as the tenancy policy permits it, so a
    // queue or a role the policy refuses is never read.
    const guard = permittedGuard(raw, this.deps.tenancy ?? OPEN_POLICY);
    const target = awsTargetOf(guard, this.deps.defaultRegion);
    const specKey = JSON.stringify([guard.spec.runaway, target, guard.spec.concurrency?.workload, guard.spec.workloads, guard.spec.scalingGroups, guard.spec.nodePools]);
    const entry = this.store.entry(key, specKey, () => buildSources(guard, target, this.deps.services));
    const nowMs = ctx.clock.now();
    if (entry.lastSampleAt !== undefined && nowMs - entry.lastSampleAt < this.intervalMs) return entry;
    entry.lastSampleAt = nowMs;
    const [capacity, taken] = await Promise.all([
      this.observeCapacity(guard),
      takeSample(entry.sources, { nowMs, intervalSeconds: this.intervalMs / 1000, signal: ctx.signal }, nowMs / 1000),
    ]);
    const opts = this.detectorOptions(guard);
    SampleStore.push(entry, { ...taken.sample, ...('view' in capacity ? capacityOf(capacity.view) : {}) }, opts.windowSeconds);
    entry.failures = 'view' in capacity ? taken.failures : [capacity.failure, ...taken.failures];
    // A failed observation keeps the last view for the brake's plan; the sample goes without it.
    if ('view' in capacity) entry.capacity = capacity.view;
    const step = evaluate(entry.memory, entry.samples, nowMs / 1000, opts);
    entry.memory = step.memory;
    entry.verdict = step.verdict;
    if (entry.failures.length) ctx.log.info({ failures: entry.failures }, 'runaway: some signal sources failed; sampling without them');
    return entry;
  }

  /**
   * Capacity from the shared observation, asked no older than half an interval, so a sample
   * trails the groups by less than the sampling interval whatever the resync period.
   */
  private async observeCapacity(guard: CostGuard): Promise<{ view: CapacityView } | { failure: SourceFailure }> {
    try {
      return { view: await this.deps.capacity(guard, Math.max(1, Math.floor(this.intervalMs / 2))) };
    } catch (err) {
      return { failure: { source: 'capacity', message: errorMessage(err).split('\n')[0]!.slice(0, 300) } };
    }
  }

  private async write(guard: CostGuard, r: { decision: BrakeDecision; verdict: Verdict; entry: GuardSamples; notActingBecause?: string | undefined }, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status ?? {};
    // The conditions quote the status's evidence: the same steady copy, so a ticking duration rewrites neither.
    const runaway = steady(prior.runaway, r.decision.runaway);
    const inputs = runawayConditions({
      runaway,
      ...(r.decision.brake ? { brake: r.decision.brake } : {}),
      verdict: r.verdict,
      sources: sourceNames(r.entry),
      failures: r.entry.failures,
      intervalText: formatDuration(this.intervalMs),
      refused: refusalsUnder(applyTenancy(guard, this.deps.tenancy ?? OPEN_POLICY), 'spec.runaway.'),
      ...(r.notActingBecause ? { notActingBecause: r.notActingBecause } : {}),
    });
    const holds = replaceHolds(prior, 'runaway', r.decision.holds);
    // Nothing of ours changed: no write. Re-deriving Ready alone would only fight the other
    // controllers' writes; it is re-derived whenever one of our conditions changes.
    if (unchanged(prior, { runaway, brake: r.decision.brake, holds, inputs })) return;
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    const next: CostGuardStatus = {
      ...prior,
      runaway,
      conditions: applyGuardConditions(prior.conditions, inputs, guardReadyDependents(guard.spec, guard.spec.mode === 'Enforce'), stamp),
    };
    if (r.decision.brake) next.brake = r.decision.brake;
    else delete next.brake;
    if (holds) next.holds = holds;
    else delete next.holds;
    await ctx.status.update(COSTGUARD_RESOURCE, guard, next);
  }

  /**
   * The Event of a stage change, then the incident as the decision says it must stand, recorded
   * in the outbox before status is written: a failure to record throws, so the status write
   * waits for the retry rather than claim a brake whose alert is not on its way.
   */
  private async announce(key: string, guard: CostGuard, d: BrakeDecision, ctx: ReconcileContext): Promise<void> {
    const regarding = objectReference(COSTGUARD_RESOURCE, guard);
    if (d.event) await ctx.events.publish((d.event.warning ? warningEvent : normalEvent)(regarding, d.event.reason, d.event.message));
    if (!d.notify) return;
    if (d.notify.kind === 'fire') {
      this.resolved.delete(key);
      await this.deps.notifier.fire(guard, d.notify.alert, { mustRecord: true });
      return;
    }
    if (this.resolved.has(key)) return;
    await this.deps.notifier.resolve(guard, RUNAWAY_INCIDENT, d.notify.summary, { mustRecord: true });
    this.resolved.add(key);
  }

  /** spec.runaway removed: drop the section's status, its holds and conditions (the brake goes with it). */
  private async unwatch(key: string, guard: CostGuard, ctx: ReconcileContext): Promise<void> {
    this.store.forget(key);
    this.deps.metrics.forget(guard.metadata.namespace ?? '', guard.metadata.name ?? '');
    const prior = guard.status ?? {};
    const mine = (prior.holds ?? []).some((h) => h.owner === 'runaway');
    const hasConditions = RUNAWAY_CONDITIONS.some((t) => prior.conditions?.some((c) => c.type === t));
    if (!prior.runaway && !prior.brake && !mine && !hasConditions) return;
    // The incident ends with the section: recorded before the status that forgets it.
    if (incidentOpen(prior)) await this.deps.notifier.resolve(guard, RUNAWAY_INCIDENT, 'spec.runaway was removed; the brake is released.', { mustRecord: true });
    let conditions = prior.conditions;
    for (const t of RUNAWAY_CONDITIONS) conditions = removeCondition(conditions, t);
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    const next: CostGuardStatus = { ...prior, conditions: applyGuardConditions(conditions, [], guardReadyDependents(guard.spec, guard.spec.mode === 'Enforce'), stamp) };
    delete next.runaway;
    delete next.brake;
    const holds = replaceHolds(prior, 'runaway', []);
    if (holds) next.holds = holds;
    else delete next.holds;
    await ctx.status.update(COSTGUARD_RESOURCE, guard, next);
  }
}
