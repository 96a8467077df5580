// Pure: what the cost controller tells about its own acts. The hourlyCeiling binding is an
// alert (it holds capacity, like the brake), and a budget write that DryRun or a pause keeps
// back is told with its values, as every other would-be write is.
import type { Alert } from '../../alerting/notifier.ts';
import type { DesiredBudget } from './budget-decide.ts';
import type { Cap } from './cap-decide.ts';

export const HOURLY_CEILING_INCIDENT = 'cost-hourly-ceiling';

/** "$5000 per month; thresholds ACTUAL 100 %, FORECASTED 80 %; filter TagKeyValue [user:app$orders]": what a budget write would set. */
export function budgetValues(desired: DesiredBudget): string {
  const b = desired.budget;
  const thresholds = desired.thresholds.map((t) => `${t.type} ${t.percent} %`).join(', ');
  const filters = Object.entries(b.costFilters).map(([k, v]) => `${k} [${v.join(', ')}]`);
  return `$${b.limit} per month; thresholds ${thresholds}${filters.length ? `; filter ${filters.join(', ')}` : ''}`;
}

export interface CeilingAlertFacts {
  /** The spec's hourlyCeiling, as written ("40.00"). */
  ceiling: string;
  /** The worst case at the spec ceilings, as dollars ("72.40"). */
  worstCase: string;
  caps: readonly Cap[];
  /** "kubectl edit costguard/x -n y". */
  edit: string;
  /** Why the holds are not applied now ("DryRun", "Paused"), or undefined when they are. */
  notActing?: string | undefined;
}

/**
 * The alert while hourlyCeiling binds: the worst case at the spec ceilings is above it, so
 * CostGuard holds MaxSize below the spec ceilings (or says nothing can be held). One incident,
 * fired while it binds.
 */
export function hourlyCeilingAlert(f: CeilingAlertFacts): Alert {
  const held = f.caps.map((c) => `${c.target} MaxSize at most ${c.value}`);
  const acting = f.notActing === undefined;
  const action = !held.length
    ? 'None: nothing it names can be held (hourlyCeiling holds Auto Scaling groups only; NodePools count but get no hold). Lower their limits or raise hourlyCeiling.'
    : acting
      ? `CostGuard holds ${held.join(', ')} (status.holds, owner cost).`
      : `${f.notActing}: CostGuard would hold ${held.join(', ')}; nothing is written.`;
  return {
    incident: HOURLY_CEILING_INCIDENT,
    severity: 'warning',
    title: `hourlyCeiling $${f.ceiling}/h binds: the worst case at the ceilings is $${f.worstCase}/h`,
    evidence: [`worst case at the spec ceilings $${f.worstCase}/h, above hourlyCeiling $${f.ceiling}/h`, ...held],
    actions: [action],
    undo: `${f.edit}   # spec.cost.hourlyCeiling`,
  };
}
