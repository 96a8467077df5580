// The sections controller: gives every optional spec section that has no controller in this
// build its condition (False, NotImplemented) and re-derives Ready, so a guard never reports
// "All checks pass" over sections nothing acts on. Writes only those conditions and Ready.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { removeCondition, type Condition } from '../../runtime/conditions.ts';
import { isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { ReconcileContext, Reconciler } from '../../runtime/reconciler.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { isEnforcing } from '../shared/pause.ts';
import { applyGuardConditions, guardReadyDependents } from '../shared/readiness.ts';
import { unhandledSectionConditions, type Section } from './decide.ts';

export interface SectionsDeps {
  guards: Informer<CostGuard>;
  /** The sections a controller of this build acts on (and so sets the condition of). */
  handled: ReadonlySet<Section>;
}

export class SectionsReconciler implements Reconciler {
  readonly name = 'sections';
  private readonly deps: SectionsDeps;

  constructor(deps: SectionsDeps) {
    this.deps = deps;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    const guard = this.deps.guards.getByKey(key);
    if (!guard || isBeingDeleted(guard)) return;
    const { set, remove } = unhandledSectionConditions(guard.spec, this.deps.handled);
    const prior = guard.status ?? {};
    let conditions = (prior.conditions ?? []) as Condition[];
    for (const type of remove) conditions = removeCondition(conditions, type);
    const stamp = { now: ctx.clock.now(), generation: guard.metadata.generation };
    conditions = applyGuardConditions(conditions, set, guardReadyDependents(guard.spec, isEnforcing(guard)), stamp);
    await ctx.status.update(COSTGUARD_RESOURCE, guard, { ...prior, conditions });
  }
}
