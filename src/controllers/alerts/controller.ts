// The alerts controller: for every CostGuard with spec.alerts, read the webhook Secret, deliver
// what waits in the guard's outbox (alerting/deliver.ts), and report AlertsReady. It runs on
// every resync (so an outbox left by a stopped operator is delivered by the next one), on
// spec changes, and when the notifier queues a message (its Trigger).
import { ConditionType, type CostGuard } from '../../api/v1alpha1/index.ts';
import { drain, type DeliverDeps, type DrainResult } from '../../alerting/deliver.ts';
import type { AlertMetrics } from '../../alerting/metrics.ts';
import { OutboxNameTaken, type OutboxStore } from '../../alerting/outbox-store.ts';
import type { Outbox } from '../../alerting/outbox.ts';
import { readWebhook, type WebhookLookup } from '../../alerting/webhook-secret.ts';
import { getCondition, removeCondition, type Condition, type ConditionInput } from '../../runtime/conditions.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { alertsReady, type AlertsObserved } from './conditions.ts';
import { isEnforcing } from '../shared/pause.ts';

const UNAVAILABLE_AFTER_ATTEMPTS = 2;

export interface AlertsDeps extends DeliverDeps {
  guards: Informer<CostGuard>;
  rest: Pick<RestClient, 'get'>;
  store: OutboxStore;
  metrics: AlertMetrics;
}

/** The guards this controller has anything to do with: an alerts section, its condition left from one, or a deletion. */
export function alertsConcern(guard: CostGuard): boolean {
  return Boolean(guard.spec.alerts || isBeingDeleted(guard) || getCondition(guard.status?.conditions, ConditionType.AlertsReady));
}

export class AlertsReconciler implements Reconciler {
  readonly name = 'alerts';
  private readonly d: AlertsDeps;

  constructor(deps: AlertsDeps) {
    this.d = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const guard = this.d.guards.getByKey(key);
    const [namespace = '', name = ''] = key.split('/');
    if (!guard || isBeingDeleted(guard)) {
      this.d.metrics.forget(namespace, name);
      this.d.store.forget(namespace, name);
      return;
    }
    if (!guard.spec.alerts) return this.forgetAlerts(guard, ctx);
    let delivered: { lookup?: WebhookLookup; result: DrainResult };
    try {
      delivered = await this.deliver(guard, ctx);
    } catch (err) {
      if (!(err instanceof OutboxNameTaken)) throw err;
      return this.report(guard, { type: ConditionType.AlertsReady, status: 'False', reason: 'OutboxNameTaken', message: `${err.message}.` }, ctx);
    }
    const { lookup, result } = delivered;
    const condition = alertsReady(guard.spec, observed(lookup, result));
    this.d.metrics.pending.set({ namespace, name }, result.outbox.pending.length);
    await this.report(guard, condition, ctx);
    if (result.requeueAfterMs !== undefined) return { requeueAfter: Math.max(1, Math.ceil(result.requeueAfterMs)) };
  }

  /** Reads the webhook Secret and, when it holds a usable URL, delivers what is due. */
  private async deliver(guard: CostGuard, ctx: ReconcileContext): Promise<{ lookup?: WebhookLookup; result: DrainResult }> {
    const slack = guard.spec.alerts?.slack;
    // Slack was removed from the spec: what waited for it has nowhere to go.
    if (!slack) return { result: { outbox: await this.d.store.update(guard, withoutSlackMessages), unavailable: false } };
    const lookup = await readWebhook(this.d.rest, guard.metadata.namespace ?? '', slack.webhookSecretRef);
    if (!lookup.ok) return { lookup, result: { outbox: await this.d.store.read(guard), unavailable: false } };
    return { lookup, result: await drain(this.d, { guard, webhook: lookup, log: ctx.log, signal: ctx.signal }) };
  }

  /**
   * Written only when AlertsReady itself changes: Ready is derived by whichever controller
   * writes, so rewriting it here on every pass would only race the others' status writes.
   */
  private async report(guard: CostGuard, condition: ConditionInput, ctx: ReconcileContext): Promise<void> {
    if (sameCondition(getCondition(guard.status?.conditions, ConditionType.AlertsReady), condition, guard.metadata.generation)) return;
    await this.writeConditions(guard, applyGuardConditions(guard.status?.conditions, [condition], dependents(guard), stamp(guard, ctx)), ctx);
  }

  /** spec.alerts was removed: AlertsReady no longer applies. */
  private async forgetAlerts(guard: CostGuard, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status?.conditions;
    if (!getCondition(prior, ConditionType.AlertsReady)) return;
    const conditions = applyGuardConditions(removeCondition(prior, ConditionType.AlertsReady), [], dependents(guard), stamp(guard, ctx));
    await this.writeConditions(guard, conditions, ctx);
  }

  private async writeConditions(guard: CostGuard, conditions: Condition[], ctx: ReconcileContext): Promise<void> {
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...(guard.status ?? {}), conditions });
  }
}

function sameCondition(prior: Condition | undefined, next: ConditionInput, generation: number | undefined): boolean {
  return prior?.status === next.status && prior.reason === next.reason && prior.message === (next.message ?? '') && prior.observedGeneration === generation;
}

function withoutSlackMessages(outbox: Outbox): Outbox {
  if (!outbox.pending.length && !outbox.problem) return outbox;
  const next = { ...outbox, pending: [] };
  delete next.problem;
  return next;
}

function observed(lookup: WebhookLookup | undefined, result: DrainResult): AlertsObserved {
  const problem = lookup?.ok && result.outbox.problem?.webhook === lookup.id ? result.outbox.problem : undefined;
  // One 5xx is weather; a message that failed twice in a row (or an open breaker) is an outage.
  const failing = (result.outbox.pending[0]?.attempts ?? 0) >= UNAVAILABLE_AFTER_ATTEMPTS;
  return { ...(lookup ? { lookup } : {}), ...(problem ? { problem } : {}), unavailable: failing || result.unavailable };
}

function dependents(guard: CostGuard) {
  const enforcing = isEnforcing(guard);
  return guardReadyDependents(guard.spec, enforcing);
}

function stamp(guard: CostGuard, ctx: ReconcileContext) {
  return { now: ctx.clock.now(), generation: guard.metadata.generation };
}
