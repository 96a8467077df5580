// I/O: keeps the guard's AWS Budget in line with spec.cost.budget and reads its spend.
//
// Ownership is recorded before the budget is created, on the guard itself: the annotation
// costguard.io/budget-created names the budget and the finalizer costguard.io/budget holds
// deletion until it is gone. Written first (one metadata patch with the resourceVersion lock),
// they survive a crash or a status conflict between CreateBudget and the status write, so a
// budget CostGuard created is never mistaken for someone else's. A budget of that name that
// already exists without the annotation belongs to someone else: it is read, never written.
import { BUDGET_FINALIZER, type CostGuard } from '../../api/v1alpha1/index.ts';
import type { BudgetReading, Budgets } from '../../cloud/budgets.ts';
import { isCloudError } from '../../cloud/errors.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { hasFinalizer } from '../../runtime/finalizers.ts';
import { objectPath } from '../../runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../../runtime/kube/rest.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { desiredBudget, judgeBudget, planBudget, type BudgetPlan, type DesiredBudget } from './budget-decide.ts';
import type { BudgetOutcome } from './decide.ts';
import { budgetValues } from './visible.ts';

/** Names the budget CostGuard created for this guard (set just before CreateBudget). */
export const BUDGET_OWNER_ANNOTATION = 'costguard.io/budget-created';

export function ownedBudget(guard: CostGuard): string | undefined {
  return guard.metadata.annotations?.[BUDGET_OWNER_ANNOTATION] || undefined;
}

/** Claims `name` (or drops the claim, with undefined) and sets or clears the finalizer, in one patch. */
export async function claimBudget(rest: RestClient, guard: CostGuard, name: string | undefined): Promise<CostGuard> {
  const others = (guard.metadata.finalizers ?? []).filter((f) => f !== BUDGET_FINALIZER);
  const finalizers = name ? [...others, BUDGET_FINALIZER] : others;
  const patch = { metadata: { resourceVersion: guard.metadata.resourceVersion, finalizers, annotations: { [BUDGET_OWNER_ANNOTATION]: name ?? null } } };
  return rest.patch<CostGuard>(objectPath(COSTGUARD_RESOURCE, guard.metadata.namespace, guard.metadata.name ?? ''), patch, ContentType.mergePatch);
}

export interface BudgetSyncDeps {
  rest: RestClient;
  budgets: Budgets;
}

export interface BudgetSync {
  /** Undefined when the spec has no budget (any budget CostGuard created for it was deleted). */
  outcome: BudgetOutcome | undefined;
  /** The guard as it is now (metadata patches move its resourceVersion). */
  guard: CostGuard;
}

async function act(deps: BudgetSyncDeps, desired: DesiredBudget, plan: BudgetPlan): Promise<string | undefined> {
  const { budget, awsThresholds, subscribers } = desired;
  switch (plan.kind) {
    case 'create':
      await deps.budgets.create(budget, awsThresholds, subscribers);
      return `created AWS Budget ${budget.name}`;
    case 'recreate':
      // No UpdateBudget: delete + create keeps the definition exact (spend is recalculated by AWS).
      await deps.budgets.delete(budget.name);
      await deps.budgets.create(budget, awsThresholds, subscribers);
      return `recreated AWS Budget ${budget.name} (${plan.changes.join(', ')})`;
    case 'notifications':
      for (const t of plan.remove) await deps.budgets.removeThreshold(budget.name, t);
      for (const t of plan.add) await deps.budgets.addThreshold(budget.name, t, subscribers);
      return `updated the notifications of AWS Budget ${budget.name}`;
    default:
      return undefined;
  }
}

/** Deletes a budget this guard created under a name the spec no longer uses. */
async function dropRenamed(deps: BudgetSyncDeps, guard: CostGuard, name: string): Promise<CostGuard> {
  const owned = ownedBudget(guard);
  if (!owned || owned === name) return guard;
  await deps.budgets.delete(owned);
  return claimBudget(deps.rest, guard, undefined);
}

async function observe(deps: BudgetSyncDeps, guard: CostGuard, desired: DesiredBudget): Promise<{ reading?: BudgetReading; plan: BudgetPlan }> {
  const name = desired.budget.name;
  const reading = await deps.budgets.get(name);
  const managed = ownedBudget(guard) === name && hasFinalizer(guard, BUDGET_FINALIZER);
  const thresholds = reading && managed ? await deps.budgets.thresholds(name) : undefined;
  const plan = planBudget(desired, { ...(reading ? { reading } : {}), ...(thresholds ? { thresholds } : {}) }, managed);
  return { ...(reading ? { reading } : {}), plan };
}

function outcomeOf(guard: CostGuard, desired: DesiredBudget, reading: BudgetReading | undefined, changed: string | undefined): BudgetOutcome {
  const managed = ownedBudget(guard) === desired.budget.name;
  const read = reading ? { reading, verdict: judgeBudget(desired.thresholds, reading) } : {};
  return { desired, managed, ...read, ...(changed ? { changed } : {}) };
}

const isDuplicate = (err: unknown): boolean => isCloudError(err, 'Invalid') && err.code === 'DuplicateRecordException';

async function syncWritable(deps: BudgetSyncDeps, start: CostGuard, desired: DesiredBudget): Promise<BudgetSync> {
  const name = desired.budget.name;
  let guard = await dropRenamed(deps, start, name);
  const { reading, plan } = await observe(deps, guard, desired);
  if (plan.kind === 'create') guard = await claimBudget(deps.rest, guard, name);
  let changed: string | undefined;
  try {
    changed = await act(deps, desired, plan);
  } catch (err) {
    // Someone created the name between our read and our create: it is theirs, drop the claim.
    if (!(plan.kind === 'create' && isDuplicate(err))) throw err;
    guard = await claimBudget(deps.rest, guard, undefined);
  }
  const latest = changed || !reading ? await deps.budgets.get(name) : reading;
  return { outcome: outcomeOf(guard, desired, latest, changed), guard };
}

/** Read-only (DryRun, paused): reports what would change, writes nothing. */
async function syncReadOnly(deps: BudgetSyncDeps, guard: CostGuard, desired: DesiredBudget, why: string): Promise<BudgetSync> {
  const name = desired.budget.name;
  const reading = await deps.budgets.get(name);
  const plan = planBudget(desired, reading ? { reading } : {}, ownedBudget(guard) === name);
  const would: Partial<Record<BudgetPlan['kind'], string>> = {
    create: `${why}: would create AWS Budget ${name} (${budgetValues(desired)})`,
    recreate: `${why}: would recreate AWS Budget ${name}${plan.kind === 'recreate' ? ` (${plan.changes.join(', ')})` : ''}`,
  };
  return { outcome: outcomeOf(guard, desired, reading, would[plan.kind]), guard };
}

/** One budget pass; failures become `outcome.error` (and the caller requeues with backoff). */
export async function syncBudget(deps: BudgetSyncDeps, guard: CostGuard, readOnly: string | undefined): Promise<BudgetSync | undefined> {
  const desired = desiredBudget(guard);
  if (!desired) {
    // spec.cost.budget was removed: the budget CostGuard created goes with it.
    const owned = ownedBudget(guard);
    if (owned && !readOnly) {
      await deps.budgets.delete(owned);
      return { outcome: undefined, guard: await claimBudget(deps.rest, guard, undefined) };
    }
    return undefined;
  }
  try {
    return readOnly ? await syncReadOnly(deps, guard, desired, readOnly) : await syncWritable(deps, guard, desired);
  } catch (err) {
    const error = `AWS Budget ${desired.budget.name}: ${errorMessage(err)}`;
    return { outcome: { desired, managed: ownedBudget(guard) === desired.budget.name, error }, guard };
  }
}

/** On guard deletion: delete the budget CostGuard created (never another), then release the finalizer. */
/**
 * Deletes the budget the guard created, then drops the budget finalizer. `mayReachAws` false
 * (the tenancy policy refuses the guard AWS): no budget is deleted, only the finalizer goes.
 */
export async function finalizeBudget(deps: BudgetSyncDeps, guard: CostGuard, mayReachAws = true): Promise<void> {
  if (!hasFinalizer(guard, BUDGET_FINALIZER)) return;
  const owned = mayReachAws ? ownedBudget(guard) : undefined;
  if (owned) await deps.budgets.delete(owned);
  const finalizers = (guard.metadata.finalizers ?? []).filter((f) => f !== BUDGET_FINALIZER);
  const patch = { metadata: { resourceVersion: guard.metadata.resourceVersion, finalizers } };
  await deps.rest.patch(objectPath(COSTGUARD_RESOURCE, guard.metadata.namespace, guard.metadata.name ?? ''), patch, ContentType.mergePatch);
}
