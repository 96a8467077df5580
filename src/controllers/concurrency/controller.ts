// The concurrency controller: for a guard with spec.concurrency, compute the per-replica limit
// from the workload's replicas (decide.ts) and publish it, with the breaker settings, the retry
// budget and the brake's `frozen` flag, in the worker ConfigMap (config.ts). Thin: observe the
// workload and the ConfigMap (GETs), decide, write the ConfigMap, write status once.
import { ConditionType, type CostGuard, type CostGuardStatus } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { removeCondition } from '../../runtime/conditions.ts';
import { errorMessage, isConflict, isNotFound } from '../../runtime/errors.ts';
import { objectReference } from '../../runtime/events.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import { collectionPath, objectPath, Resources } from '../../runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../../runtime/kube/rest.ts';
import type { ReconcileContext, Reconciler } from '../../runtime/reconciler.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import { configMapBody, configMapName, configMapPatch, mayAdopt, ownedBy, readWorkerConfig, type ConfigMap, type WorkerConfig } from './config.ts';
import { decideConcurrency, type ConcurrencyDecision, type ObservedConcurrency } from './decide.ts';
import { newsEvent, publishFailedEvent } from './events.ts';
import type { ConcurrencyMetrics } from './metrics.ts';
import { getWorkload, workloadReplicas } from './workload.ts';
import { pauseState, isEnforcing } from '../shared/pause.ts';

export interface ConcurrencyDeps {
  guards: Informer<CostGuard>;
  rest: RestClient;
  metrics: ConcurrencyMetrics;
}

/**
 * The guards this controller has anything to do with: a concurrency or breaker section, or
 * what it published for one that is gone (retire cleans that once), or a deletion.
 */
export function concurrencyConcerns(guard: CostGuard): boolean {
  if (guard.spec.concurrency || guard.spec.breaker || isBeingDeleted(guard)) return true;
  return Boolean(guard.status?.concurrency || guard.status?.conditions?.some((c) => c.type === ConditionType.ConcurrencyPublished));
}

export class ConcurrencyReconciler implements Reconciler {
  readonly name = 'concurrency';
  private readonly deps: ConcurrencyDeps;

  constructor(deps: ConcurrencyDeps) {
    this.deps = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    const guard = this.deps.guards.getByKey(key);
    if (!guard) return;
    const { namespace = '', name = '' } = guard.metadata;
    if (isBeingDeleted(guard)) return this.deps.metrics.forget(namespace, name);
    if (!guard.spec.concurrency && !guard.spec.breaker) return this.retire(guard, ctx);
    const paused = pauseState(guard).paused;
    const { observed, existing } = await this.observe(guard, guard.spec.mode === 'Enforce' && !paused, ctx.signal).catch(async (err: unknown) => {
      await this.failed(guard, `Could not read the worker workload or ConfigMap ${configMapName(name)}: ${errorMessage(err)}`, ctx);
      throw err;
    });
    const decision = decideConcurrency(guard, observed, { mode: guard.spec.mode, paused, nowMs: ctx.clock.now() });
    if (decision.publish) await this.publish(guard, existing, { ...decision, publish: decision.publish }, ctx);
    // News first: a status conflict (409, requeue) must not lose the event of a write that happened.
    if (decision.news) await ctx.events.publish(newsEvent(objectReference(COSTGUARD_RESOURCE, guard), decision.news));
    await this.report(guard, decision, ctx);
  }

  private async publish(guard: CostGuard, existing: ConfigMap | undefined, decision: ConcurrencyDecision & { publish: WorkerConfig }, ctx: ReconcileContext): Promise<void> {
    try {
      await this.write(guard, existing, decision.publish);
    } catch (err) {
      const wanted = `wanted per-replica limit ${decision.publish.perReplicaLimit}`;
      if (!isConflict(err)) await this.failed(guard, `Could not write ConfigMap ${configMapName(guard.metadata.name ?? '')} (${wanted}): ${errorMessage(err)}`, ctx);
      throw err;
    }
    this.deps.metrics.publishes.inc({ namespace: guard.metadata.namespace ?? '', name: guard.metadata.name ?? '' });
  }

  private async observe(guard: CostGuard, act: boolean, signal: AbortSignal): Promise<{ observed: ObservedConcurrency; existing?: ConfigMap }> {
    const spec = guard.spec.concurrency;
    const namespace = guard.metadata.namespace ?? '';
    const workload = spec ? await getWorkload(this.deps.rest, namespace, spec.workload, signal) : undefined;
    const replicas = workload ? workloadReplicas(workload) : undefined;
    // DryRun and paused never write, so they need not read the ConfigMap either.
    if (!spec || replicas === undefined || !act) return { observed: { replicas, configMap: { state: 'absent' } } };
    const cm = await this.getConfigMap(guard);
    if (!cm) return { observed: { replicas, configMap: { state: 'absent' } } };
    if (!mayAdopt(cm, guard)) return { observed: { replicas, configMap: { state: 'foreign' } } };
    // A ConfigMap we only adopt (not yet owned) is rewritten, whatever it holds.
    const published = ownedBy(cm, guard) ? readWorkerConfig(cm) : undefined;
    return { observed: { replicas, configMap: { state: 'ours', published } }, existing: cm };
  }

  private async getConfigMap(guard: CostGuard): Promise<ConfigMap | undefined> {
    try {
      return await this.deps.rest.get<ConfigMap>(objectPath(Resources.configMaps, guard.metadata.namespace, configMapName(guard.metadata.name ?? '')));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Creates the ConfigMap, or patches it locked on resourceVersion (a 409 requeues). */
  private async write(guard: CostGuard, existing: ConfigMap | undefined, config: WorkerConfig): Promise<void> {
    const namespace = guard.metadata.namespace;
    if (!existing) {
      await this.deps.rest.create(collectionPath(Resources.configMaps, namespace), configMapBody(guard, config));
      return;
    }
    const path = objectPath(Resources.configMaps, namespace, existing.metadata?.name ?? '');
    await this.deps.rest.patch(path, configMapPatch(guard, existing, config), ContentType.mergePatch);
  }

  private async report(guard: CostGuard, decision: ConcurrencyDecision, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status ?? {};
    const concurrency = decision.status ?? prior.concurrency;
    await this.writeStatus(guard, { ...prior, ...(concurrency ? { concurrency } : {}) }, [decision.condition], ctx);
    const { namespace = '', name = '' } = guard.metadata;
    if (decision.status) this.deps.metrics.set(namespace, name, decision.status);
    ctx.log.info({ reason: decision.condition.reason, published: Boolean(decision.publish), limit: decision.status?.perReplicaLimit }, 'concurrency reconciled');
  }

  /** Reading or writing the ConfigMap failed: say so in status and an Event; the caller rethrows (backoff). */
  private async failed(guard: CostGuard, message: string, ctx: ReconcileContext): Promise<void> {
    const condition: ConditionInput = { type: ConditionType.ConcurrencyPublished, status: 'False', reason: 'PublishFailed', message };
    await this.writeStatus(guard, guard.status ?? {}, [condition], ctx).catch(() => undefined);
    await ctx.events.publish(publishFailedEvent(objectReference(COSTGUARD_RESOURCE, guard), message));
  }

  /** Neither concurrency nor breaker in the spec (any more): our status and condition go. */
  private async retire(guard: CostGuard, ctx: ReconcileContext): Promise<void> {
    const { namespace = '', name = '' } = guard.metadata;
    this.deps.metrics.forget(namespace, name);
    const had = guard.status?.concurrency || guard.status?.conditions?.some((c) => c.type === ConditionType.ConcurrencyPublished);
    if (!had) return;
    const rest: CostGuardStatus = { ...guard.status };
    delete rest.concurrency;
    const conditions = removeCondition(rest.conditions, ConditionType.ConcurrencyPublished);
    await this.writeStatus(guard, { ...rest, conditions }, [], ctx);
  }

  private async writeStatus(guard: CostGuard, base: CostGuardStatus, inputs: ConditionInput[], ctx: ReconcileContext): Promise<void> {
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    const enforcing = isEnforcing(guard);
    const conditions = applyGuardConditions(base.conditions, inputs, guardReadyDependents(guard.spec, enforcing), stamp);
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...base, conditions });
  }
}
