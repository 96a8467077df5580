// Pure: the AWS Budget a guard describes, what to change to make AWS match it, and which
// thresholds spend has crossed. Invariants: CostGuard changes or deletes a budget only when it
// created it (status.cost.budgetManaged); a budget of the same name that someone else created
// is read, never written. AWS has UpdateBudget, but it is not used: a changed limit, time unit
// or filter is applied by delete + create, changed thresholds through the notifications API
// (docs/cost.md says why).
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { BudgetReading, BudgetSubscriber, BudgetThreshold, CostBudget } from '../../cloud/budgets.ts';
import { formatMicros, parseMicros, percentOf } from '../../cloud/pricing/money.ts';

export interface DesiredBudget {
  budget: CostBudget;
  /** Thresholds CostGuard alerts on itself. */
  thresholds: BudgetThreshold[];
  /** Thresholds set as AWS notifications: all of them when there are subscribers, else none. */
  awsThresholds: BudgetThreshold[];
  subscribers: BudgetSubscriber[];
}

/** Without notifications in spec, CostGuard still alerts when spend or forecast reach the limit. */
export const DEFAULT_THRESHOLDS: readonly BudgetThreshold[] = [
  { type: 'ACTUAL', percent: 100 },
  { type: 'FORECASTED', percent: 100 },
];

export function budgetNameOf(guard: CostGuard): string {
  return guard.spec.cost?.budget?.name ?? `costguard-${guard.metadata.namespace}-${guard.metadata.name}`.slice(0, 100);
}

/** AWS's tag filter syntax: "user:<key>$<value>" under TagKeyValue, sorted. */
function tagFilters(tags: Readonly<Record<string, readonly string[]>> | undefined): Record<string, string[]> {
  const values = Object.entries(tags ?? {}).flatMap(([key, vals]) => vals.map((v) => `user:${key}$${v}`));
  return values.length ? { TagKeyValue: values.sort() } : {};
}

export function desiredBudget(guard: CostGuard): DesiredBudget | undefined {
  const spec = guard.spec.cost?.budget;
  if (!spec) return undefined;
  const thresholds = spec.notifications?.length ? spec.notifications.map((n) => ({ type: n.type, percent: n.percent })) : [...DEFAULT_THRESHOLDS];
  const subscribers = (spec.subscribers ?? []).map((s) => ({ type: s.type, address: s.address }));
  return {
    budget: { name: budgetNameOf(guard), limit: spec.monthlyLimit, timeUnit: 'MONTHLY', costFilters: tagFilters(spec.costFilters?.tags) },
    thresholds,
    awsThresholds: subscribers.length ? thresholds : [],
    subscribers,
  };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/** What differs between the budget AWS has and the one the spec describes, as sentences. */
export function budgetDifferences(desired: CostBudget, observed: CostBudget): string[] {
  const out: string[] = [];
  if (parseMicros(desired.limit) !== parseMicros(observed.limit)) out.push(`limit ${observed.limit} → ${desired.limit}`);
  if (desired.timeUnit !== observed.timeUnit) out.push(`time unit ${observed.timeUnit} → ${desired.timeUnit}`);
  const keys = new Set([...Object.keys(desired.costFilters), ...Object.keys(observed.costFilters)]);
  for (const key of [...keys].sort()) {
    const want = desired.costFilters[key] ?? [];
    const have = observed.costFilters[key] ?? [];
    if (!sameSet(want, have)) out.push(`cost filter ${key} [${have.join(', ')}] → [${want.join(', ')}]`);
  }
  return out;
}

const thresholdKey = (t: BudgetThreshold): string => `${t.type}/${t.percent}`;

export type BudgetPlan =
  | { kind: 'create' }
  | { kind: 'recreate'; changes: string[] }
  | { kind: 'notifications'; add: BudgetThreshold[]; remove: BudgetThreshold[] }
  | { kind: 'inSync' }
  | { kind: 'foreign' };

export interface ObservedBudget {
  reading?: BudgetReading;
  /** The budget's AWS notifications (only read for a managed budget). */
  thresholds?: readonly BudgetThreshold[];
}

export function planBudget(desired: DesiredBudget, observed: ObservedBudget, managed: boolean): BudgetPlan {
  if (!observed.reading) return { kind: 'create' };
  if (!managed) return { kind: 'foreign' };
  const changes = budgetDifferences(desired.budget, observed.reading);
  if (changes.length) return { kind: 'recreate', changes };
  const have = new Map((observed.thresholds ?? []).map((t) => [thresholdKey(t), t]));
  const want = new Map(desired.awsThresholds.map((t) => [thresholdKey(t), t]));
  const add = [...want].filter(([k]) => !have.has(k)).map(([, t]) => t);
  const remove = [...have].filter(([k]) => !want.has(k)).map(([, t]) => t);
  return add.length || remove.length ? { kind: 'notifications', add, remove } : { kind: 'inSync' };
}

export interface SpendVerdict {
  /** Every threshold reached, in spec order. */
  crossed: BudgetThreshold[];
  /** max(actual, forecast) as a percentage of the limit. */
  percent: number;
  evidence: string[];
}

export function judgeBudget(thresholds: readonly BudgetThreshold[], reading: BudgetReading): SpendVerdict {
  const limit = parseMicros(reading.limit);
  const actual = reading.actual === undefined ? 0 : parseMicros(reading.actual);
  const forecast = reading.forecast === undefined ? 0 : parseMicros(reading.forecast);
  const crossed = thresholds.filter((t) => (t.type === 'ACTUAL' ? actual : forecast) * 100 >= limit * t.percent);
  const evidence = crossed.map((t) => {
    const spend = t.type === 'ACTUAL' ? actual : forecast;
    const what = t.type === 'ACTUAL' ? 'actual spend' : 'forecast month-end spend';
    return `${what} $${formatMicros(spend)} is ${percentOf(spend, limit)}% of the $${formatMicros(limit)} budget ${reading.name} (threshold ${t.percent}%)`;
  });
  return { crossed, percent: percentOf(Math.max(actual, forecast), limit), evidence };
}

/** The Notifier incident of one threshold: "budget/ACTUAL/100". */
export function budgetIncident(t: BudgetThreshold): string {
  return `budget/${thresholdKey(t)}`;
}
