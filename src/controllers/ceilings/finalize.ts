// Deletion: with onDelete Restore (and Enforce, not paused) put back what CostGuard itself
// set, from each target's own record (restore-decide.ts says what, restore-act.ts does it),
// then release the finalizer. Keep (the default) leaves the values, and takes the records off
// (or hands them to the guards that still hold the targets) so that no guard gives back later
// what this one chose to keep. Either way the guard's name comes off the records it held.
//
// A restore that keeps failing (the role is gone, a target cannot be read) must not hold the
// guard forever: after MAX_RESTORE_ATTEMPTS failed attempts in this process the finalizer is
// released anyway, with a warning event and a False CeilingsEnforced condition naming what
// could not be restored. The records stay on the targets, so nothing is lost.
import { ConditionType, FINALIZER, type CostGuard } from '../../api/v1alpha1/index.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { objectReference } from '../../runtime/events.ts';
import { hasFinalizer, removeFinalizer } from '../../runtime/finalizers.ts';
import type { ReconcileContext } from '../../runtime/reconciler.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../resources.ts';
import type { ActDeps } from '../actuator/act.ts';
import { restoredEvent, restoreFailedEvent } from './events.ts';
import type { ObservedCeilings, PeerCeiling } from '../targets/observed.ts';
import { ownerOf } from '../targets/records.ts';
import { describeRestore } from '../actuator/restore-decide.ts';
import { restoreAll } from '../actuator/restore-act.ts';
import { nextStatus } from './status.ts';
import { pauseState } from '../shared/pause.ts';
import type { Holding } from '../actuator/holders-decide.ts';

/** Failed restore attempts before the finalizer is released anyway. */
export const MAX_RESTORE_ATTEMPTS = 5;

export interface RestoreDeps extends ActDeps {
  defaultRegion: string;
  peers(guard: CostGuard, observed: ObservedCeilings): PeerCeiling[];
  /** Failed attempts per guard UID (kept by the reconciler for the life of the process). */
  restoreAttempts: Map<string, number>;
  /** What the tenancy policy lets this guard reach (default all): what it refuses is neither read nor restored. */
  permits?: { aws: boolean; nodePools: boolean };
  /** Who the guard is on the targets' records (holders-decide.ts). */
  holding?: Holding;
}

async function restore(deps: RestoreDeps, guard: CostGuard, ctx: ReconcileContext, policy: 'Restore' | 'Keep'): Promise<void> {
  const regarding = objectReference(COSTGUARD_RESOURCE, guard);
  const uid = guard.metadata.uid ?? ownerOf(guard);
  try {
    const io = { rest: deps.rest, groups: deps.scalingGroups(awsTargetOf(guard, deps.defaultRegion)), peers: (o: ObservedCeilings) => deps.peers(guard, o), policy, ...(deps.holding ? { holding: deps.holding } : {}) };
    const steps = await restoreAll(io, guard, ownerOf(guard), deps.permits ?? { aws: true, nodePools: true });
    deps.restoreAttempts.delete(uid);
    // A retry after the work is done (e.g. a 409 on the finalizer patch) finds no records: no news.
    if (steps.length) await ctx.events.publish(restoredEvent(regarding, describeRestore(steps, policy), policy));
    ctx.log.info({ written: steps.filter((s) => s.write).length, left: steps.filter((s) => !s.write).length }, `onDelete ${policy} done`);
  } catch (err) {
    const attempts = (deps.restoreAttempts.get(uid) ?? 0) + 1;
    deps.restoreAttempts.set(uid, attempts);
    if (attempts < MAX_RESTORE_ATTEMPTS) throw err;
    deps.restoreAttempts.delete(uid);
    const message = `onDelete ${policy} failed ${attempts} times (${errorMessage(err)}); released the finalizer anyway. The originals stay recorded on the targets (costguard.io/original-* tags and annotations).`;
    await ctx.events.publish(restoreFailedEvent(regarding, message));
    const conditions = [{ type: ConditionType.CeilingsEnforced, status: 'False' as const, reason: 'RestoreFailed', message }];
    await ctx.status.update(COSTGUARD_RESOURCE, guard, nextStatus({ guard, conditions, nowMs: ctx.clock.now() }));
  }
}

export async function finalizeGuard(deps: RestoreDeps, guard: CostGuard, ctx: ReconcileContext): Promise<void> {
  if (!hasFinalizer(guard, FINALIZER)) return;
  const paused = pauseState(guard).paused;
  if (guard.spec.mode === 'Enforce' && !paused) await restore(deps, guard, ctx, guard.spec.onDelete === 'Restore' ? 'Restore' : 'Keep');
  await removeFinalizer(deps.rest, COSTGUARD_RESOURCE, guard, FINALIZER);
}
