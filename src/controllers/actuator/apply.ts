// The actuator's one entry point for a reconcile: plan from what was observed, re-read every
// Auto Scaling group it is about to write (a clamp never rests on a stale snapshot, and a hold
// at current resolves against what runs now), plan again from those live values, act, and
// return the plan as applied (failed targets keep what was observed). DryRun and pause plan
// only. A write refused as invalid is not sent again unchanged (refusals.ts): it is reported
// as a failure, marked withheld. The controller that calls it makes no decision of its own.
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { ScalingGroup } from '../../cloud/scaling-groups.ts';
import type { CostGuardStatus } from '../../api/v1alpha1/index.ts';
import { errorMessage } from '../../runtime/errors.ts';
import { applyActions, type ActDeps, type ActionFailure, type Who } from './act.ts';
import { withFailedWrites } from './failed-writes.ts';
import type { ObservedCeilings } from '../targets/observed.ts';
import { planCeilings, type CeilingsPlan, type PlanContext } from './plan.ts';
import { isRefusal, nextRefusals, REFUSAL_RETRY_MS, withholdRefused, type Refusal } from './refusals.ts';

export interface Applied {
  plan: CeilingsPlan;
  /** Every failed target; `withheld`: a refusal remembered from before, not sent this time. */
  failures: (ActionFailure & { withheld?: true })[];
  /** The guard's refused writes after this round (unchanged in DryRun). */
  refused: ReadonlyMap<string, Refusal>;
}

/** The guard's refused writes and the generation they are judged against. */
export interface RefusalsIn {
  refused: ReadonlyMap<string, Refusal>;
  generation: number | undefined;
}

const NONE: RefusalsIn = { refused: new Map(), generation: undefined };

/** The error as a sentence; a refusal says it is not retried as it stands. */
export function failureWhy(error: unknown): string {
  if (!isRefusal(error)) return errorMessage(error);
  return `refused as invalid: ${errorMessage(error)}; sent again when the guard or the target changes, or after ${REFUSAL_RETRY_MS / 60_000} min`;
}

/** Pure: the observation with the named groups replaced by their live reads (a group gone live is gone). */
export function withLiveGroups(observed: ObservedCeilings, live: readonly ScalingGroup[], names: readonly string[]): ObservedCeilings {
  const byName = new Map(live.map((g) => [g.name, g]));
  const groups = observed.groups.map((e) => ({ spec: e.spec, found: e.found.flatMap((g) => (names.includes(g.name) ? (byName.has(g.name) ? [byName.get(g.name)!] : []) : [g])) }));
  return { ...observed, groups };
}

function groupNames(plan: CeilingsPlan): string[] {
  return plan.actions.flatMap((a) => (a.kind === 'asg' ? [a.name] : []));
}

export async function applyPlan(
  deps: ActDeps,
  at: { observed: ObservedCeilings; prior: CostGuardStatus; ctx: PlanContext; target: AwsTarget; who: Who; refusals?: RefusalsIn },
): Promise<Applied> {
  const { prior, ctx } = at;
  const { refused, generation } = at.refusals ?? NONE;
  let observed = at.observed;
  let plan = planCeilings(observed, prior, ctx);
  if (!ctx.act) return { plan, failures: [], refused };
  const names = groupNames(plan);
  if (names.length) {
    observed = withLiveGroups(observed, await deps.snapshots.fresh(at.target, names), names);
    plan = planCeilings(observed, prior, ctx);
  }
  const judged = { generation, nowMs: ctx.nowMs };
  const { send, withheld } = withholdRefused(plan.actions, refused, judged);
  const sentFailures = await applyActions(deps, at.target, at.who, send);
  const failures = [...sentFailures, ...withheld.map((w) => ({ action: w.action, error: w.refusal.error, withheld: true as const }))];
  const after = nextRefusals(refused, send, sentFailures, judged);
  if (!failures.length) return { plan, failures, refused: after };
  const dry = planCeilings(observed, prior, { ...ctx, act: false });
  return { plan: withFailedWrites(plan, dry, failures.map((f) => ({ action: f.action, why: failureWhy(f.error) })), ctx.nowMs), failures, refused: after };
}
