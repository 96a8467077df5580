// The sections controller: gives every optional spec section that has no controller in this
// build its condition (False, NotImplemented) and re-derives Ready, so a guard never reports
// "All checks pass" over sections nothing acts on. Writes only those conditions and Ready.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { getCondition, removeCondition, setCondition, type Condition } from '../../runtime/conditions.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { isEnforcing } from '../shared/pause.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import { unhandledSectionConditions, type Section, type SectionConditions } from './decide.ts';

export interface SectionsDeps {
  guards: Informer<CostGuard>;
  /** The sections a controller of this build acts on (and so sets the condition of). */
  handled: ReadonlySet<Section>;
}

/** How long to wait for the ceilings controller to report a new generation first. */
export const WAIT_FOR_CEILINGS_MS = 1_000;

/** True when applying `change` would alter a section condition (its time aside). */
function changes(prior: readonly Condition[], change: SectionConditions): boolean {
  if (change.remove.some((type) => getCondition(prior, type))) return true;
  return change.set.some((c) => {
    const now = getCondition(prior, c.type);
    return !now || now.status !== c.status || now.reason !== c.reason || now.message !== c.message;
  });
}

export class SectionsReconciler implements Reconciler {
  readonly name = 'sections';
  private readonly deps: SectionsDeps;

  constructor(deps: SectionsDeps) {
    this.deps = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const guard = this.deps.guards.getByKey(key);
    if (!guard || isBeingDeleted(guard)) return;
    const change = unhandledSectionConditions(guard.spec, this.deps.handled);
    const prior = guard.status ?? {};
    const conditions = (prior.conditions ?? []) as Condition[];
    if (!changes(conditions, change)) return;
    // The ceilings controller acts before it writes status; a status write of ours in between
    // would make its write conflict. Let it report the new generation first.
    if (prior.observedGeneration !== guard.metadata.generation) return { requeueAfter: WAIT_FOR_CEILINGS_MS };
    let next = conditions;
    for (const type of change.remove) next = removeCondition(next, type);
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    for (const c of change.set) next = setCondition(next, c, stamp);
    next = applyGuardConditions(next, [], guardReadyDependents(guard.spec, isEnforcing(guard)), stamp);
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...prior, conditions: next });
  }
}
