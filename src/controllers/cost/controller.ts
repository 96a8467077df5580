// The cost controller: live USD/h and worst case per guard, the hourlyCeiling as holds, the
// AWS Budget, and spend anomalies. Observe (shared group snapshot, launch templates, Budgets,
// Cost Explorer) → decide (decide.ts, pure) → write status.cost, its conditions and its holds
// once → metrics and alerts. It never writes a scaling group: the actuator applies holds.
import { BUDGET_FINALIZER, ConditionType, validateSpec, type CostGuard, type CostGuardStatus } from '../../api/v1alpha1/index.ts';
import type { Notifier } from '../../alerting/notifier.ts';
import type { Budgets } from '../../cloud/budgets.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { CostExplorer } from '../../cloud/cost-explorer.ts';
import { isCloudError } from '../../cloud/errors.ts';
import type { PriceBook } from '../../cloud/pricing/prices.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { deepEqual } from '../../runtime/equality.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { normalEvent, objectReference, warningEvent } from '../../runtime/events.ts';
import { hasFinalizer, isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../resources.ts';
import { replaceHolds } from '../shared/holds.ts';
import { applyGuardConditions, guardReadyDependents, hasCeilingTargets } from '../shared/readiness.ts';
import { finalizeBudget, syncBudget, type BudgetSync } from './budget.ts';
import type { BudgetLedger } from './ledger.ts';
import { decideCost, type CostDecision, type CostInputs } from './decide.ts';
import { estimateCost, type PricedTarget } from './estimate-decide.ts';
import { observeNodePools } from './nodepools.ts';
import { applyTenancy, OPEN_POLICY, permittedGuard, refusalsUnder, type TenancyPolicy } from '../targets/tenancy.ts';
import { crossCheck, ExplorerCache } from './explorer.ts';
import type { CostMetrics } from './metrics.ts';
import { observeCost, TemplateTypes, type ObserveCostDeps, type ObservedGroup } from './observe.ts';
import { pauseState, isEnforcing } from '../shared/pause.ts';

export interface CostDeps extends ObserveCostDeps {
  guards: Informer<CostGuard>;
  rest: RestClient;
  budgets(target: AwsTarget): Budgets;
  /** Which budgets CostGuard created, where only the operator writes (ledger.ts). */
  ledger: BudgetLedger;
  costExplorer(target: AwsTarget): CostExplorer;
  notifier: Notifier;
  prices: PriceBook;
  metrics: CostMetrics;
  defaultRegion: string;
  /** The manager's clock: caches of launch-template types and Cost Explorer answers age on it. */
  clock: Clock;
  /** How often a budget is read from AWS Budgets when the spec has not changed (default 15m). */
  budgetRefreshMs?: number;
  /** Which namespaces may target NodePools (their nodes are priced only then); default open. */
  tenancy?: TenancyPolicy;
}

const DEFAULT_BUDGET_REFRESH_MS = 15 * 60_000;

const CEILINGS_FIRST_MS = 500;
const CEILINGS_PATIENCE_MS = 30_000;

/**
 * True while the ceilings controller has not yet reported what the cost controller sees: the
 * guard's current generation, and each group at the DesiredCapacity observed now. The ceilings
 * controller writes its status (originals, the rate-limit window) right after it acts; a status
 * write of ours in between would make that write conflict and lose what it recorded. So the
 * cost controller lets it go first, and waits at most CEILINGS_PATIENCE_MS for it.
 */
export function awaitingCeilings(guard: CostGuard, observed: readonly ObservedGroup[]): boolean {
  if (!hasCeilingTargets(guard.spec)) return false;
  if (guard.status?.observedGeneration !== guard.metadata.generation) return true;
  const reported = new Map((guard.status?.scalingGroups ?? []).map((g) => [`asg/${g.name}`, g.desired]));
  return observed.some((o) => reported.get(o.priced.target) !== o.desired);
}

/** True when the guard has anything to price or a cost section. */
function inScope(guard: CostGuard): boolean {
  return Boolean(guard.spec.scalingGroups?.length || guard.spec.nodePools?.length || guard.spec.cost || hasFinalizer(guard, BUDGET_FINALIZER));
}

/** The guards this controller has anything to do with: exactly those its reconcile does not skip. */
export function costConcerns(guard: CostGuard): boolean {
  return inScope(guard) || isBeingDeleted(guard);
}

export class CostReconciler implements Reconciler {
  readonly name = 'cost';
  private readonly deps: CostDeps;
  private readonly templates: TemplateTypes;
  private readonly explorerCache: ExplorerCache;
  /** uid → when the budget was last synced, for which generation, and (read-only) the write held back. */
  private readonly budgetSynced = new Map<string, { generation: number; at: number; pending?: string }>();
  /** uid → since when this controller has been waiting for the ceilings controller. */
  private readonly waitingSince = new Map<string, number>();

  constructor(deps: CostDeps) {
    this.deps = deps;
    this.templates = new TemplateTypes(deps.clock);
    this.explorerCache = new ExplorerCache(deps.clock);
  }

  /** GetCostAndUsage calls made so far (shared cache; for tests and the bench). */
  get costExplorerCalls(): number {
    return this.explorerCache.calls;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const raw = this.deps.guards.getByKey(key);
    if (!raw) return;
    // One boundary: everything below reads the guard as the tenancy policy permits it. A budget,
    // a group or a role the policy refuses is neither read nor written, its deletion included.
    const cached = permittedGuard(raw, this.deps.tenancy ?? OPEN_POLICY);
    const { namespace = '', name = '' } = cached.metadata;
    if (isBeingDeleted(cached)) {
      await finalizeBudget({ rest: this.deps.rest, ledger: this.deps.ledger, budgets: this.deps.budgets(awsTargetOf(cached, this.deps.defaultRegion)) }, cached, applyTenancy(raw, this.deps.tenancy ?? OPEN_POLICY).aws);
      this.deps.metrics.forget(namespace, name);
      this.budgetSynced.delete(cached.metadata.uid ?? key);
      this.waitingSince.delete(cached.metadata.uid ?? key);
      return;
    }
    // An invalid spec is reported by the ceilings controller (InvalidSpec); nothing to price.
    // (Validated as written: the permitted view may lack parts a valid spec needs.)
    if (!inScope(cached) || validateSpec(raw.spec).length) return;
    return this.track(cached, ctx, refusalsUnder(applyTenancy(raw, this.deps.tenancy ?? OPEN_POLICY), 'spec.cost.'));
  }

  private async track(cached: CostGuard, ctx: ReconcileContext, refused: readonly string[]): Promise<ReconcileResult | void> {
    const target = awsTargetOf(cached, this.deps.defaultRegion);
    const nowMs = ctx.clock.now();
    let observed: ObservedGroup[];
    let pools: PricedTarget[];
    try {
      [observed, pools] = await Promise.all([observeCost({ ...this.deps, templates: this.templates }, cached, target), observeNodePools(this.deps.rest, cached)]);
    } catch (err) {
      return this.observeFailed(cached, err, ctx);
    }
    if (this.shouldWait(cached, observed, nowMs)) return { requeueAfter: CEILINGS_FIRST_MS };
    const sync = await this.budget(cached, target, nowMs);
    const guard = sync?.guard ?? cached;
    const explorer = await this.explorer(guard, target, nowMs, ctx);
    const inputs: CostInputs = {
      guard,
      nowMs,
      region: target.region,
      priceTable: this.deps.prices.version,
      estimate: estimateCost([...observed.map((o) => o.priced), ...pools], target.region, this.deps.prices),
      groups: observed.map((o) => ({ target: o.priced.target, ceiling: o.priced.ceiling ?? 0, desired: o.desired })),
      ...(sync?.outcome ? { budget: sync.outcome } : {}),
      ...(explorer ? { explorer } : {}),
      refused,
      ...this.budgetPending(guard),
    };
    const decision = decideCost(inputs);
    await this.write(guard, decision, ctx);
    await this.announce(guard, { decision, budgetChange: sync?.outcome?.changed }, ctx);
    this.record(guard, decision);
    await this.alert(guard, decision);
    ctx.log.info({ estimatedHourly: decision.cost.estimatedHourly, worstCaseHourly: decision.cost.worstCaseHourly, caps: decision.caps.length }, 'cost reconciled');
  }

  /** Waits for the ceilings controller (see awaitingCeilings), but not for ever. */
  private shouldWait(guard: CostGuard, observed: readonly ObservedGroup[], nowMs: number): boolean {
    const key = guard.metadata.uid ?? `${guard.metadata.namespace}/${guard.metadata.name}`;
    if (!awaitingCeilings(guard, observed)) {
      this.waitingSince.delete(key);
      return false;
    }
    const since = this.waitingSince.get(key) ?? nowMs;
    this.waitingSince.set(key, since);
    return nowMs - since < CEILINGS_PATIENCE_MS;
  }

  /** Budget pass when the spec changed or the last read is older than the refresh period. */
  private async budget(guard: CostGuard, target: AwsTarget, nowMs: number): Promise<BudgetSync | undefined> {
    const uid = guard.metadata.uid ?? `${guard.metadata.namespace}/${guard.metadata.name}`;
    const last = this.budgetSynced.get(uid);
    const refresh = this.deps.budgetRefreshMs ?? DEFAULT_BUDGET_REFRESH_MS;
    if (last && last.generation === guard.metadata.generation && nowMs - last.at < refresh) return undefined;
    const sync = await syncBudget({ rest: this.deps.rest, ledger: this.deps.ledger, budgets: this.deps.budgets(target) }, guard, readOnlyReason(guard));
    if (!sync?.outcome?.error) this.budgetSynced.set(uid, { generation: guard.metadata.generation ?? 0, at: nowMs, ...pendingOf(guard, sync) });
    return sync;
  }

  /** The budget write DryRun or a pause held back at the last read: CostTracked keeps saying it until the next read. */
  private budgetPending(guard: CostGuard): Pick<CostInputs, 'budgetPending'> {
    const pending = readOnlyReason(guard) ? this.budgetSynced.get(guard.metadata.uid ?? `${guard.metadata.namespace}/${guard.metadata.name}`)?.pending : undefined;
    return pending ? { budgetPending: pending } : {};
  }

  private async explorer(guard: CostGuard, target: AwsTarget, nowMs: number, ctx: ReconcileContext): Promise<CostInputs['explorer']> {
    try {
      return await crossCheck({ cache: this.explorerCache, explorer: this.deps.costExplorer(target), target }, guard, nowMs);
    } catch (err) {
      ctx.log.warn({ err: errorMessage(err) }, 'Cost Explorer cross-check failed; retried within the hour');
      return undefined;
    }
  }

  private async write(guard: CostGuard, d: CostDecision, ctx: ReconcileContext): Promise<void> {
    const prior = guard.status ?? {};
    const enforcing = isEnforcing(guard);
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    // Without spec.cost the estimate is published (printer columns, metrics) but no condition:
    // CostTracked belongs to guards that ask for cost tracking, and Ready is left to the others.
    const conditions = guard.spec.cost ? applyGuardConditions(prior.conditions, d.conditions, guardReadyDependents(guard.spec, enforcing), stamp) : prior.conditions;
    const next = { ...prior, cost: d.cost, ...(conditions ? { conditions } : {}) };
    const holds = replaceHolds(prior, 'cost', d.holds);
    if (holds) next.holds = holds;
    else delete next.holds;
    // Ready alone is no reason to write: it is re-derived by whichever controller writes next,
    // and rewriting it on every resync would only race the other controllers' writes.
    if (deepEqual(withoutReady(next), withoutReady(prior))) return;
    await ctx.status.update(COSTGUARD_RESOURCE, guard, next);
  }

  private record(guard: CostGuard, d: CostDecision): void {
    const labels = { namespace: guard.metadata.namespace ?? '', name: guard.metadata.name ?? '' };
    const m = this.deps.metrics;
    m.estimated.set(labels, Number(d.cost.estimatedHourly ?? 0));
    m.worstCase.set(labels, Number(d.cost.worstCaseHourly ?? 0));
    m.unpriced.set(labels, d.unpriced.length);
    if (d.cost.budgetPercent !== undefined) m.budgetPercent.set(labels, d.cost.budgetPercent);
    if (guard.spec.cost?.anomaly) m.anomaly.set(labels, d.anomalous ? 1 : 0);
  }

  /** Events for what changed in AWS and for prices that are missing (deduped by the recorder). */
  private async announce(guard: CostGuard, news: { decision: CostDecision; budgetChange: string | undefined }, ctx: ReconcileContext): Promise<void> {
    const regarding = objectReference(COSTGUARD_RESOURCE, guard);
    // A write DryRun or a pause holds back is a would-be write like a clamp: WouldClamp, with its values.
    if (news.budgetChange && readOnlyReason(guard)) await ctx.events.publish(normalEvent(regarding, 'WouldClamp', `${news.budgetChange}.`));
    else if (news.budgetChange) await ctx.events.publish(normalEvent(regarding, 'BudgetUpdated', `CostGuard ${news.budgetChange}.`));
    const unpriced = news.decision.unpriced;
    if (unpriced.length && guard.spec.cost) await ctx.events.publish(warningEvent(regarding, 'UnpricedInstanceType', `No price for ${unpriced.join(', ')}; left out of the estimate.`));
  }

  private async alert(guard: CostGuard, d: CostDecision): Promise<void> {
    for (const a of d.fire) await this.deps.notifier.fire(guard, a);
    for (const r of d.resolve) await this.deps.notifier.resolve(guard, r.incident, r.summary);
  }

  private async observeFailed(guard: CostGuard, err: unknown, ctx: ReconcileContext): Promise<void> {
    if (!guard.spec.cost) throw err;
    const reason = isCloudError(err) ? `Cloud${err.kind}` : 'ObserveFailed';
    const condition: ConditionInput = { type: ConditionType.CostTracked, status: 'False', reason, message: `Could not observe capacity to price: ${errorMessage(err)}` };
    const prior = guard.status ?? {};
    const enforcing = guard.spec.mode === 'Enforce';
    const conditions = applyGuardConditions(prior.conditions, [condition], guardReadyDependents(guard.spec, enforcing), { now: ctx.clock.now(), generation: guard.metadata.generation });
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...prior, conditions });
    throw err;
  }
}

function withoutReady(status: CostGuardStatus): CostGuardStatus {
  return { ...status, conditions: (status.conditions ?? []).filter((c) => c.type !== ConditionType.Ready) };
}

/** The budget write a read-only pass held back, kept for CostTracked until the next read. */
function pendingOf(guard: CostGuard, sync: BudgetSync | undefined): { pending?: string } {
  const pending = readOnlyReason(guard) ? sync?.outcome?.changed : undefined;
  return pending ? { pending } : {};
}

/** Why AWS Budgets must not be written now, or undefined when it may be. */
function readOnlyReason(guard: CostGuard): string | undefined {
  if (pauseState(guard).paused) return 'Paused';
  return guard.spec.mode === 'Enforce' ? undefined : 'DryRun';
}
