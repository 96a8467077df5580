// I/O: keeps the guard's AWS Budget in line with spec.cost.budget and reads its spend.
//
// Which budgets CostGuard created is recorded where only the operator writes (ledger.ts: a
// ConfigMap per guard in the operator's namespace), never on the CostGuard, whose author
// could otherwise point it at another team's budget. The claim is recorded before
// CreateBudget, and the finalizer costguard.io/budget holds the guard's deletion until the
// budgets it created are gone. A budget of that name that this guard did not create belongs
// to someone else: it is read, never written or deleted.
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
import type { BudgetClaim, BudgetLedger } from './ledger.ts';
import { budgetValues } from './visible.ts';

/** Sets or clears the budget finalizer (one metadata patch with the resourceVersion lock). */
async function setFinalizer(rest: RestClient, guard: CostGuard, on: boolean): Promise<CostGuard> {
  if (hasFinalizer(guard, BUDGET_FINALIZER) === on) return guard;
  const others = (guard.metadata.finalizers ?? []).filter((f) => f !== BUDGET_FINALIZER);
  const patch = { metadata: { resourceVersion: guard.metadata.resourceVersion, finalizers: on ? [...others, BUDGET_FINALIZER] : others } };
  return rest.patch<CostGuard>(objectPath(COSTGUARD_RESOURCE, guard.metadata.namespace, guard.metadata.name ?? ''), patch, ContentType.mergePatch);
}

export interface BudgetSyncDeps {
  rest: RestClient;
  budgets: Budgets;
  ledger: BudgetLedger;
}

/** What this guard created in the budgets' account: the ledger's claims there. */
interface Ownership {
  account: string;
  claims: BudgetClaim[];
}

async function ownershipOf(deps: BudgetSyncDeps, guard: CostGuard): Promise<Ownership> {
  const [account, all] = await Promise.all([deps.budgets.account(), deps.ledger.owned(guard)]);
  return { account, claims: all.filter((c) => c.account === account) };
}

const owns = (o: Ownership, name: string): boolean => o.claims.some((c) => c.name === name);

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

/** Deletes the budgets this guard created under a name the spec no longer uses (or all, without a name). */
async function dropOthers(deps: BudgetSyncDeps, guard: CostGuard, o: Ownership, keep: string | undefined): Promise<Ownership> {
  for (const claim of o.claims.filter((c) => c.name !== keep)) {
    await deps.budgets.delete(claim.name);
    await deps.ledger.release(guard, claim);
  }
  return { account: o.account, claims: o.claims.filter((c) => c.name === keep) };
}

async function observe(deps: BudgetSyncDeps, o: Ownership, desired: DesiredBudget): Promise<{ reading?: BudgetReading; plan: BudgetPlan }> {
  const name = desired.budget.name;
  const reading = await deps.budgets.get(name);
  const managed = owns(o, name);
  const thresholds = reading && managed ? await deps.budgets.thresholds(name) : undefined;
  const plan = planBudget(desired, { ...(reading ? { reading } : {}), ...(thresholds ? { thresholds } : {}) }, managed);
  return { ...(reading ? { reading } : {}), plan };
}

function outcomeOf(managed: boolean, desired: DesiredBudget, reading: BudgetReading | undefined, changed: string | undefined): BudgetOutcome {
  const read = reading ? { reading, verdict: judgeBudget(desired.thresholds, reading) } : {};
  return { desired, managed, ...read, ...(changed ? { changed } : {}) };
}

const isDuplicate = (err: unknown): boolean => isCloudError(err, 'Invalid') && err.code === 'DuplicateRecordException';

async function syncWritable(deps: BudgetSyncDeps, start: CostGuard, desired: DesiredBudget): Promise<BudgetSync> {
  const name = desired.budget.name;
  const o = await dropOthers(deps, start, await ownershipOf(deps, start), name);
  const { reading, plan } = await observe(deps, o, desired);
  let guard = start;
  let managed = owns(o, name);
  if (plan.kind === 'create') {
    // The claim first, then the budget: a crash in between leaves a claim, never an orphan.
    guard = await setFinalizer(deps.rest, guard, true);
    await deps.ledger.claim(guard, { name, account: o.account });
    managed = true;
  }
  let changed: string | undefined;
  try {
    changed = await act(deps, desired, plan);
  } catch (err) {
    // Someone created the name between our read and our create: it is theirs, drop the claim.
    if (!(plan.kind === 'create' && isDuplicate(err))) throw err;
    await deps.ledger.release(guard, { name, account: o.account });
    managed = false;
  }
  const latest = changed || !reading ? await deps.budgets.get(name) : reading;
  return { outcome: outcomeOf(managed, desired, latest, changed), guard };
}

/** Read-only (DryRun, paused): reports what would change, writes nothing. */
async function syncReadOnly(deps: BudgetSyncDeps, guard: CostGuard, desired: DesiredBudget, why: string): Promise<BudgetSync> {
  const name = desired.budget.name;
  const [reading, o] = await Promise.all([deps.budgets.get(name), ownershipOf(deps, guard)]);
  const plan = planBudget(desired, reading ? { reading } : {}, owns(o, name));
  const would: Partial<Record<BudgetPlan['kind'], string>> = {
    create: `${why}: would create AWS Budget ${name} (${budgetValues(desired)})`,
    recreate: `${why}: would recreate AWS Budget ${name}${plan.kind === 'recreate' ? ` (${plan.changes.join(', ')})` : ''}`,
  };
  return { outcome: outcomeOf(owns(o, name), desired, reading, would[plan.kind]), guard };
}

/** One budget pass; failures become `outcome.error` (and the caller requeues with backoff). */
export async function syncBudget(deps: BudgetSyncDeps, guard: CostGuard, readOnly: string | undefined): Promise<BudgetSync | undefined> {
  const desired = desiredBudget(guard);
  if (!desired) {
    // spec.cost.budget was removed: the budgets CostGuard created for it go with it.
    if (readOnly || !hasFinalizer(guard, BUDGET_FINALIZER)) return undefined;
    await dropOthers(deps, guard, await ownershipOf(deps, guard), undefined);
    return { outcome: undefined, guard: await setFinalizer(deps.rest, guard, false) };
  }
  try {
    return readOnly ? await syncReadOnly(deps, guard, desired, readOnly) : await syncWritable(deps, guard, desired);
  } catch (err) {
    const error = `AWS Budget ${desired.budget.name}: ${errorMessage(err)}`;
    return { outcome: { desired, managed: false, error }, guard };
  }
}

/**
 * On deletion: deletes the budgets the guard created (by the operator's record, never another),
 * then drops the budget finalizer. `mayReachAws` false (the tenancy policy refuses the guard
 * AWS): no budget is read or deleted, only the finalizer goes.
 */
export async function finalizeBudget(deps: BudgetSyncDeps, guard: CostGuard, mayReachAws = true): Promise<void> {
  if (!hasFinalizer(guard, BUDGET_FINALIZER)) return;
  if (mayReachAws) await dropOthers(deps, guard, await ownershipOf(deps, guard), undefined);
  await setFinalizer(deps.rest, guard, false);
}
