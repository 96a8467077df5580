// The fleet breaker view: scrape the workers' breaker state (scrape.ts), decide the fleet's
// state and the holds (decide.ts), and write status.breaker, BreakerOpen and the "breaker"
// entries of status.holds in one status write. It never touches a target: the ceilings
// actuator applies the holds. It polls (requeueAfter), since breakers have no watch.
import pLimit, { type LimitFunction } from 'p-limit';
import { ConditionType, type CostGuard, type CostGuardStatus } from '../../api/v1alpha1/index.ts';
import type { Alert, Notifier } from '../../alerting/notifier.ts';
import { removeCondition } from '../../runtime/conditions.ts';
import { objectReference } from '../../runtime/events.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { breakerSettings } from '../concurrency/config.ts';
import { getWorkload, selectorQuery, workerWorkloadRef } from '../concurrency/workload.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import { holdsOf, replaceHolds } from '../shared/holds.ts';
import { decideBreaker, decideWithoutWorkers, type BreakerDecision } from './decide.ts';
import { breakerClosedEvent, breakerOpenedEvent } from './events.ts';
import type { BreakerMetrics } from './metrics.ts';
import { listWorkerPods, scrapePods } from './scrape.ts';
import { isEnforcing } from '../shared/pause.ts';

export const DEFAULT_METRICS_PORT = 9464;
export const DEFAULT_METRICS_PATH = '/metrics';

export interface BreakerDeps {
  guards: Informer<CostGuard>;
  rest: RestClient;
  metrics: BreakerMetrics;
  /** FIRING while the fleet breaker holds scale-out, RESOLVED when it closes. */
  notifier?: Notifier;
  /** How often the workers are scraped; default 10 s. */
  pollMs?: number;
  /** Per-pod scrape timeout; default 2 s. */
  scrapeTimeoutMs?: number;
  /** Scrapes open at once across every guard; default 32. */
  scrapeConcurrency?: number;
}

type Outcome = Omit<BreakerDecision, 'status'> & { status?: BreakerDecision['status'] };

const INCIDENT = 'breaker';

/**
 * The guards this controller has anything to do with: a breaker section, or what it wrote for
 * one that is gone (retire cleans that once), or a deletion.
 */
export function breakerConcerns(guard: CostGuard): boolean {
  if (guard.spec.breaker || isBeingDeleted(guard)) return true;
  const status = guard.status ?? {};
  return Boolean(status.breaker || holdsOf(status, 'breaker').length || status.conditions?.some((c) => c.type === ConditionType.BreakerOpen));
}

export class BreakerReconciler implements Reconciler {
  readonly name = 'breaker';
  private readonly deps: BreakerDeps;
  private readonly limit: LimitFunction;

  constructor(deps: BreakerDeps) {
    this.deps = deps;
    this.limit = pLimit(deps.scrapeConcurrency ?? 32);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const guard = this.deps.guards.getByKey(key);
    if (!guard) return;
    const { namespace = '', name = '' } = guard.metadata;
    if (isBeingDeleted(guard)) return this.deps.metrics.forget(namespace, name);
    if (!guard.spec.breaker) return this.retire(guard, ctx);
    const outcome = await this.observeAndDecide(guard, ctx);
    await this.writeStatus(guard, outcome, ctx);
    await this.announce(guard, outcome, ctx);
    if (outcome.status) this.deps.metrics.set(namespace, name, outcome.status, ctx.clock.now());
    return { requeueAfter: this.deps.pollMs ?? 10_000 };
  }

  private async observeAndDecide(guard: CostGuard, ctx: ReconcileContext): Promise<Outcome> {
    const found = await this.findWorkers(guard, ctx.signal);
    if ('condition' in found) return found;
    const workers = guard.spec.runaway?.signals.workers;
    const pods = await listWorkerPods(this.deps.rest, guard.metadata.namespace ?? '', found.selector);
    const readings = await scrapePods(pods, {
      port: workers?.metricsPort ?? DEFAULT_METRICS_PORT,
      path: workers?.path ?? DEFAULT_METRICS_PATH,
      timeoutMs: this.deps.scrapeTimeoutMs ?? 2_000,
      limit: this.limit,
      signal: ctx.signal,
    });
    for (const r of readings) this.deps.metrics.scrapes.inc({ result: 'error' in r ? 'error' : 'ok' });
    return decideBreaker({ guard, workload: found.target, readings, fleetOpenPercent: breakerSettings(guard).fleetOpenPercent, nowMs: ctx.clock.now() });
  }

  /** The workers' workload and pod selector, or the outcome that says why there are none. */
  private async findWorkers(guard: CostGuard, signal: AbortSignal): Promise<{ target: string; selector: string } | Outcome> {
    const namespace = guard.metadata.namespace ?? '';
    const ref = workerWorkloadRef(guard);
    if (!ref) return decideWithoutWorkers('NoWorkload', 'spec.breaker needs spec.concurrency.workload, or a Deployment or StatefulSet in spec.workloads, to find the workers to scrape.');
    const target = `${ref.kind}/${ref.name}`;
    const workload = await getWorkload(this.deps.rest, namespace, ref, signal);
    if (!workload) return decideWithoutWorkers('WorkloadNotFound', `${target} does not exist in namespace ${namespace}: no workers to scrape.`);
    const selector = selectorQuery(workload.spec?.selector);
    if (!selector) return decideWithoutWorkers('SelectorUnusable', `${target} has an empty or unsupported pod selector: its workers cannot be found.`);
    return { target, selector };
  }

  private async writeStatus(guard: CostGuard, outcome: Outcome, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status ?? {};
    const next: CostGuardStatus = { ...prior, holds: replaceHolds(prior, 'breaker', outcome.holds) };
    if (outcome.status) next.breaker = outcome.status;
    else delete next.breaker;
    if (!next.holds) delete next.holds;
    await this.update(guard, next, [outcome.condition], ctx);
  }

  private async announce(guard: CostGuard, outcome: Outcome, ctx: ReconcileContext): Promise<void> {
    const regarding = objectReference(COSTGUARD_RESOURCE, guard);
    const message = outcome.condition.message ?? '';
    if (outcome.transition === 'opened') await ctx.events.publish(breakerOpenedEvent(regarding, message));
    if (outcome.transition === 'closed') await ctx.events.publish(breakerClosedEvent(regarding, message));
    const notifier = this.deps.notifier;
    if (!notifier) return;
    if (outcome.condition.status === 'True') await notifier.fire(guard, alertOf(guard, outcome));
    else if (outcome.condition.status === 'False') await notifier.resolve(guard, INCIDENT, message);
  }

  /** spec.breaker removed: status.breaker, BreakerOpen and the breaker's holds go. */
  private async retire(guard: CostGuard, ctx: ReconcileContext): Promise<void> {
    this.deps.metrics.forget(guard.metadata.namespace ?? '', guard.metadata.name ?? '');
    const prior = guard.status ?? {};
    const had = prior.breaker || holdsOf(prior, 'breaker').length || prior.conditions?.some((c) => c.type === ConditionType.BreakerOpen);
    if (!had) return;
    const next: CostGuardStatus = { ...prior, holds: replaceHolds(prior, 'breaker', []), conditions: removeCondition(prior.conditions, ConditionType.BreakerOpen) };
    delete next.breaker;
    if (!next.holds) delete next.holds;
    await this.update(guard, next, [], ctx);
    await this.deps.notifier?.resolve(guard, INCIDENT, 'spec.breaker was removed.');
  }

  private async update(guard: CostGuard, base: CostGuardStatus, inputs: Parameters<typeof applyGuardConditions>[1], ctx: ReconcileContext): Promise<void> {
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    const enforcing = isEnforcing(guard);
    const conditions = applyGuardConditions(base.conditions, inputs, guardReadyDependents(guard.spec, enforcing), stamp);
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...base, conditions });
  }
}

function alertOf(guard: CostGuard, outcome: Outcome): Alert {
  const s = outcome.status;
  const name = guard.metadata.name ?? '';
  return {
    incident: INCIDENT,
    severity: 'warning',
    title: `Fleet breaker ${s?.state ?? 'open'}: the workers' downstream is failing`,
    evidence: [outcome.condition.message ?? ''],
    actions: outcome.holds.map((h) => `${h.target} held at ${h.value ?? JSON.stringify(h.limits)}${guard.spec.mode === 'DryRun' ? ' (DryRun: not applied)' : ''}`),
    // --overwrite: the annotation may already be there with another value ("false").
    undo: `kubectl annotate costguard ${name} -n ${guard.metadata.namespace} costguard.io/paused=true --overwrite`,
  };
}
