// Pure: the plan as applied when some writes failed. A failed target keeps its observed
// (unchanged) status entry — status never claims a clamp that did not happen — and its
// lastAction says what CostGuard tried and why it failed, built from the action's own changes.
// It must not read like a DryRun: the guard enforces, the write was attempted.
import type { CeilingAction, CeilingsPlan } from './plan.ts';
import type { Attempt } from './plan-groups.ts';
import { formatTime } from '../../runtime/conditions.ts';

interface Entry {
  name: string;
  kind?: string;
  lastAction?: { time: string; message: string; reason?: string };
}

export interface FailedWrite {
  action: CeilingAction;
  /** The error, as a sentence. */
  why: string;
}

const show = (v: number | string | undefined): string => (v === undefined ? 'unset' : String(v));

function attemptText(c: Attempt): string {
  const verb = c.reason === 'Drift' ? 'revert' : c.reason === 'Released' ? 'raise' : 'clamp';
  return `could not ${verb} ${c.field} ${show(c.from)} → ${show(c.to)} (${c.reason})`;
}

/** "could not clamp MaxSize 40 → 20 (AboveCeiling): the write failed (…); nothing changed, CostGuard retries." */
export function failedText(action: CeilingAction, why: string): string {
  const tried = action.changes.map(attemptText).join('; ');
  return `${tried || 'could not update its record'}: the write failed (${why}); nothing changed, CostGuard retries.`;
}

/** Failed targets: the dry plan's entry (observed values), with a lastAction naming the failure. */
export function withFailedWrites(plan: CeilingsPlan, dry: CeilingsPlan, failed: readonly FailedWrite[], nowMs: number): CeilingsPlan {
  const byTarget = new Map(failed.map((f) => [f.action.target, f]));
  const pick = <T extends Entry>(mine: T[] | undefined, theirs: T[] | undefined, ref: (s: T) => string): T[] | undefined =>
    mine?.map((s) => {
      const f = byTarget.get(ref(s));
      if (f === undefined) return s;
      const observed = theirs?.find((t) => ref(t) === ref(s)) ?? s;
      return { ...observed, lastAction: { time: formatTime(nowMs), message: failedText(f.action, f.why), reason: 'ActionFailed' } };
    });
  const status = {
    scalingGroups: pick(plan.status.scalingGroups, dry.status.scalingGroups, (s) => `asg/${s.name}`),
    workloads: pick(plan.status.workloads, dry.status.workloads, (s) => `${s.kind}/${s.name}`),
    nodePools: pick(plan.status.nodePools, dry.status.nodePools, (s) => `NodePool/${s.name}`),
  };
  return { ...plan, status: Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) };
}
