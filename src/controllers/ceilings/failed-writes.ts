// Pure: the plan as applied when some writes failed. A failed target keeps its observed
// (unchanged) status entry — status never claims a clamp that did not happen — and its
// lastAction says that CostGuard tried, what, and why it failed. It must not read like a
// DryRun: the guard enforces, the write was attempted.
import type { CeilingsPlan } from './plan.ts';
import { formatTime } from '../../runtime/conditions.ts';

interface Entry {
  name: string;
  kind?: string;
  lastAction?: { time: string; message: string; reason?: string };
}

/** "clamped MaxSize 40 → 20 (AboveCeiling)" → "could not clamp MaxSize 40 → 20 (AboveCeiling)". */
export function failedText(attempted: string | undefined, why: string): string {
  const tried = (attempted ?? '')
    .replace(/(^|; )clamped /g, '$1could not clamp ')
    .replace(/(^|; )raised /g, '$1could not raise ')
    .replace(/; reverted to /g, '; could not revert to ');
  return `${tried || 'could not update its record'}: the write failed (${why}); nothing changed, CostGuard retries.`;
}

/** Failed targets: the dry plan's entry (observed values), with a lastAction naming the failure. */
export function withFailedWrites(plan: CeilingsPlan, dry: CeilingsPlan, failed: ReadonlyMap<string, string>, nowMs: number): CeilingsPlan {
  const pick = <T extends Entry>(mine: T[] | undefined, theirs: T[] | undefined, ref: (s: T) => string): T[] | undefined =>
    mine?.map((s) => {
      const why = failed.get(ref(s));
      if (why === undefined) return s;
      const observed = theirs?.find((t) => ref(t) === ref(s)) ?? s;
      const time = formatTime(nowMs);
      // Only this reconcile's change was attempted; an older lastAction is not what failed.
      const attempted = s.lastAction?.time === time ? s.lastAction.message : undefined;
      return { ...observed, lastAction: { time, message: failedText(attempted, why), reason: 'ActionFailed' } };
    });
  const status = {
    scalingGroups: pick(plan.status.scalingGroups, dry.status.scalingGroups, (s) => `asg/${s.name}`),
    workloads: pick(plan.status.workloads, dry.status.workloads, (s) => `${s.kind}/${s.name}`),
    nodePools: pick(plan.status.nodePools, dry.status.nodePools, (s) => `NodePool/${s.name}`),
  };
  return { ...plan, status: Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) };
}
