// The runaway controller: sample the guard's signals once per interval, run the detector,
// decide the brake (pure, brake-decide.ts) and write status.runaway, status.brake, the
// runaway's own status.holds and its conditions in one status write. The ceilings actuator
// applies the holds; the concurrency controller publishes `frozen` while status.brake exists.
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
import { applyGuardConditions, guardReadyDependents, hasCeilingTargets } from '../shared/readiness.ts';
import { decideBrake, type BrakeDecision } from './brake-decide.ts';
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
}

const DEFAULT_INTERVAL_MS = 30_000;

/** Score moves this much before status is rewritten while the state holds. */
const SCORE_STEP = 10;

/**
 * The runaway status to write: while the state holds and the score moves little, the prior
 * evidence stays, so a steady guard is not rewritten every sample ("in 29m30s" ticks).
 */
export function steady(prior: RunawayStatus | undefined, next: RunawayStatus): RunawayStatus {
  if (!prior || prior.state !== next.state || Math.abs((prior.score ?? 0) - (next.score ?? 0)) >= SCORE_STEP) return next;
  return prior;
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

function awaitingCeilings(guard: CostGuard): boolean {
  return hasCeilingTargets(guard.spec) && guard.status?.observedGeneration === undefined;
}

/** Why the brake may not act: "paused", "DryRun", or undefined when it may. */
function notActing(guard: CostGuard): string | undefined {
  if (pauseState(guard).paused) return 'paused';
  return guard.spec.mode === 'Enforce' ? undefined : 'DryRun';
}

function priorOf(status: CostGuardStatus | undefined): { runaway?: RunawayStatus; brake?: BrakeStatus } {
  return { ...(status?.runaway ? { runaway: status.runaway } : {}), ...(status?.brake ? { brake: status.brake } : {}) };
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
    // Capacity comes from the ceilings' observations: until they have observed once, a sample
    // would miss its capacity leg (and a status write now would only race theirs).
    if (awaitingCeilings(guard)) return { requeueAfter: 1000 };
    const entry = await this.sample(key, guard, ctx);
    const verdict = entry.verdict ?? evaluate(entry.memory, entry.samples, ctx.clock.now() / 1000, this.detectorOptions(guard)).verdict;
    const notActingBecause = notActing(guard);
    const decision = decideBrake({
      spec: guard.spec.runaway,
      act: notActingBecause === undefined,
      ...(notActingBecause ? { notActingBecause } : {}),
      verdict,
      prior: priorOf(guard.status),
      observed: guard.status ?? {},
      nowMs: ctx.clock.now(),
      guardRef: { namespace, name },
    });
    await this.write(guard, { decision, verdict, entry, notActingBecause }, ctx);
    await this.announce(guard, decision, ctx);
    this.record(namespace, name, decision, entry);
    return { requeueAfter: Math.max(1, (entry.lastSampleAt ?? 0) + this.intervalMs - ctx.clock.now()) };
  }

  private forget(key: string, guard: CostGuard | undefined): void {
    this.store.forget(key);
    if (guard) this.deps.metrics.forget(guard.metadata.namespace ?? '', guard.metadata.name ?? '');
  }

  private record(namespace: string, name: string, decision: BrakeDecision, entry: GuardSamples): void {
    this.deps.metrics.set(namespace, name, {
      suspected: decision.runaway.state !== 'Normal',
      score: decision.runaway.score ?? 0,
      brake: decision.brake !== undefined,
      failing: entry.failures.map((f) => f.source),
      sources: entry.sources.map((s) => s.name),
    });
  }

  private detectorOptions(guard: CostGuard) {
    const spec = guard.spec.runaway!;
    return { windowSeconds: parseDuration(spec.window) / 1000, retryBudgetPercent: spec.retryBudgetPercent, intervalSeconds: this.intervalMs / 1000 };
  }

  /** Takes a sample when one is due; reconciles in between reuse the last verdict. */
  private async sample(key: string, guard: CostGuard, ctx: ReconcileContext): Promise<GuardSamples> {
    const target = awsTargetOf(guard, this.deps.defaultRegion);
    const specKey = JSON.stringify([guard.spec.runaway, target, guard.spec.concurrency?.workload, guard.spec.workloads]);
    const entry = this.store.entry(key, specKey, () => buildSources(guard, target, this.deps.services, () => this.deps.guards.getByKey(key)));
    const nowMs = ctx.clock.now();
    if (entry.lastSampleAt !== undefined && nowMs - entry.lastSampleAt < this.intervalMs) return entry;
    entry.lastSampleAt = nowMs;
    const taken = await takeSample(entry.sources, { nowMs, intervalSeconds: this.intervalMs / 1000, signal: ctx.signal }, nowMs / 1000);
    const opts = this.detectorOptions(guard);
    SampleStore.push(entry, taken.sample, opts.windowSeconds);
    entry.failures = taken.failures;
    const step = evaluate(entry.memory, entry.samples, nowMs / 1000, opts);
    entry.memory = step.memory;
    entry.verdict = step.verdict;
    if (taken.failures.length) ctx.log.info({ failures: taken.failures }, 'runaway: some signal sources failed; sampling without them');
    return entry;
  }

  private async write(guard: CostGuard, r: { decision: BrakeDecision; verdict: Verdict; entry: GuardSamples; notActingBecause?: string | undefined }, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status ?? {};
    const inputs = runawayConditions({
      runaway: r.decision.runaway,
      ...(r.decision.brake ? { brake: r.decision.brake } : {}),
      verdict: r.verdict,
      sources: r.entry.sources.map((s) => s.name),
      failures: r.entry.failures,
      intervalText: formatDuration(this.intervalMs),
      ...(r.notActingBecause ? { notActingBecause: r.notActingBecause } : {}),
    });
    const runaway = steady(prior.runaway, r.decision.runaway);
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

  private async announce(guard: CostGuard, d: BrakeDecision, ctx: ReconcileContext): Promise<void> {
    const regarding = objectReference(COSTGUARD_RESOURCE, guard);
    if (d.event) await ctx.events.publish((d.event.warning ? warningEvent : normalEvent)(regarding, d.event.reason, d.event.message));
    if (!d.notify) return;
    try {
      if (d.notify.kind === 'fire') await this.deps.notifier.fire(guard, d.notify.alert);
      else await this.deps.notifier.resolve(guard, 'runaway', d.notify.summary);
    } catch (err) {
      // The notifier reports its own delivery problems (AlertsReady); never fail the brake for it.
      ctx.log.error({ err: errorMessage(err) }, 'runaway: notifier failed');
    }
  }

  /** spec.runaway removed: drop the section's status, its holds and conditions (the brake goes with it). */
  private async unwatch(key: string, guard: CostGuard, ctx: ReconcileContext): Promise<void> {
    this.store.forget(key);
    this.deps.metrics.forget(guard.metadata.namespace ?? '', guard.metadata.name ?? '');
    const prior = guard.status ?? {};
    const mine = (prior.holds ?? []).some((h) => h.owner === 'runaway');
    const hasConditions = RUNAWAY_CONDITIONS.some((t) => prior.conditions?.some((c) => c.type === t));
    if (!prior.runaway && !prior.brake && !mine && !hasConditions) return;
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
    if (prior.brake) await this.deps.notifier.resolve(guard, 'runaway', 'spec.runaway was removed; the brake is released.');
  }
}
