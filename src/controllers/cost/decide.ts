// Pure: the cost controller's status.cost, conditions, holds and alerts from what it observed.
// One function per output; the controller only gathers inputs and applies the result.
import { ConditionType, parseDuration, type CostGuard, type CostStatus, type Hold } from '../../api/v1alpha1/index.ts';
import type { Alert } from '../../alerting/notifier.ts';
import type { BudgetReading } from '../../cloud/budgets.ts';
import { formatMicros, parseMicros } from '../../cloud/pricing/money.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { judgeExplorer, judgeSpend, type AnomalyVerdict, type ExplorerVerdict } from './anomaly-decide.ts';
import { budgetIncident, type DesiredBudget, type SpendVerdict } from './budget-decide.ts';
import { allocateCaps, type Cap } from './cap-decide.ts';
import type { CostEstimate } from './estimate-decide.ts';
import { pauseState } from '../shared/pause.ts';
import { HOURLY_CEILING_INCIDENT, hourlyCeilingAlert } from './visible.ts';

/** How often the estimate is sampled into the baseline (and updatedAt moves without a change). */
export const SAMPLE_EVERY_MS = 5 * 60_000;
export const ANOMALY_INCIDENT = 'cost-anomaly';

export interface BudgetOutcome {
  desired: DesiredBudget;
  managed: boolean;
  reading?: BudgetReading;
  verdict?: SpendVerdict;
  /** What CostGuard changed in AWS this time, as a sentence. */
  changed?: string;
  /** Set when the budget could not be read or written. */
  error?: string;
}

export interface GroupSize {
  target: string;
  /** The spec ceiling (maxSize of the entry that named or selected the group). */
  ceiling: number;
  desired: number;
}

export interface CostInputs {
  guard: CostGuard;
  nowMs: number;
  region: string;
  priceTable: string;
  estimate: CostEstimate;
  groups: readonly GroupSize[];
  /** Undefined when the budget was not read in this reconcile (its status and condition are kept). */
  budget?: BudgetOutcome;
  /** Set when Cost Explorer was asked in this reconcile. */
  explorer?: ExplorerVerdict;
  /** Parts of the cost section the tenancy policy refused (a budget or anomaly check on AWS). */
  refused?: readonly string[];
  /** DryRun/paused: the budget write held back at the last read ("DryRun: would create …"), kept until the next read. */
  budgetPending?: string;
}

export interface CostDecision {
  cost: CostStatus;
  conditions: ConditionInput[];
  holds: Hold[];
  caps: Cap[];
  anomalous: boolean;
  /** "asg/x: type" for each type without a price. */
  unpriced: string[];
  fire: Alert[];
  resolve: { incident: string; summary: string }[];
}

const list = (items: readonly string[], max = 5): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
const usd = (micros: number): string => `$${formatMicros(micros)}`;

export function capsFor(inputs: CostInputs): Cap[] {
  const ceiling = inputs.guard.spec.cost?.hourlyCeiling;
  if (!ceiling) return [];
  const sizes = new Map(inputs.groups.map((g) => [g.target, g]));
  const groups = inputs.estimate.targets.flatMap((t) => {
    const size = sizes.get(t.target);
    return t.worstUnit === undefined || !size ? [] : [{ ...size, unit: t.worstUnit }];
  });
  return allocateCaps(groups, parseMicros(ceiling));
}

function holdsFor(inputs: CostInputs, caps: readonly Cap[]): Hold[] {
  const ceiling = inputs.guard.spec.cost?.hourlyCeiling ?? '';
  const since = new Date(inputs.nowMs).toISOString();
  return caps.map((c) => {
    const unit = inputs.estimate.targets.find((t) => t.target === c.target)?.worstUnit ?? 0;
    const reason = `hourlyCeiling $${ceiling}/h: at most ${c.value} instance(s) at up to ${usd(unit)}/h each`;
    return { owner: 'cost' as const, target: c.target, value: c.value, reason, since };
  });
}

/** The anomaly sample, taken at most every SAMPLE_EVERY_MS (status would churn otherwise). */
function sampleAnomaly(inputs: CostInputs, prior: CostStatus | undefined): AnomalyVerdict | undefined {
  const anomaly = inputs.guard.spec.cost?.anomaly;
  if (!anomaly) return undefined;
  const last = Date.parse(prior?.baseline?.sampledAt ?? '');
  if (inputs.nowMs - last < SAMPLE_EVERY_MS) return undefined;
  return judgeSpend({
    estimate: inputs.estimate.hourly,
    nowMs: inputs.nowMs,
    windowMs: parseDuration(anomaly.baselineWindow ?? '7d'),
    spendChangePercent: anomaly.spendChangePercent ?? 50,
    ...(prior?.baseline ? { prior: prior.baseline } : {}),
  });
}

function budgetFields(inputs: CostInputs, prior: CostStatus | undefined): Partial<CostStatus> {
  const b = inputs.budget;
  if (!b) {
    const keep = ['budgetName', 'budgetManaged', 'budgetActual', 'budgetForecast', 'budgetPercent', 'budgetReadAt'] as const;
    return Object.fromEntries(keep.flatMap((k) => (prior?.[k] === undefined ? [] : [[k, prior[k]]])));
  }
  const r = b.reading;
  const money = (v: string | undefined): string | undefined => (v === undefined ? undefined : formatMicros(parseMicros(v)));
  const fields: Partial<CostStatus> = {
    budgetName: b.desired.budget.name,
    budgetManaged: b.managed,
    budgetActual: money(r?.actual),
    budgetForecast: money(r?.forecast),
    budgetPercent: b.verdict ? Math.min(b.verdict.percent, 2_000_000_000) : undefined,
    budgetReadAt: r ? iso(inputs.nowMs) : prior?.budgetReadAt,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const iso = (ms: number): string => new Date(ms).toISOString();

function explorerField(inputs: CostInputs, prior: CostStatus | undefined): CostStatus['costExplorer'] {
  const x = inputs.explorer;
  if (!x) return prior?.costExplorer;
  const average = x.dailyAverage !== undefined ? { dailyAverage: formatMicros(x.dailyAverage) } : {};
  return { checkedAt: iso(inputs.nowMs), day: x.day, dailyCost: formatMicros(x.dailyCost), ...average };
}

function anomalyFields(inputs: CostInputs, sample: AnomalyVerdict | undefined, prior: CostStatus | undefined): Partial<CostStatus> {
  if (!inputs.guard.spec.cost?.anomaly) return {};
  const fresh = sample?.baselineHourly === undefined ? undefined : formatMicros(sample.baselineHourly);
  const fields: Partial<CostStatus> = {
    baseline: sample?.baseline ?? prior?.baseline,
    baselineHourly: sample ? fresh : prior?.baselineHourly,
    costExplorer: explorerField(inputs, prior),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function nextCost(inputs: CostInputs, sample: AnomalyVerdict | undefined): CostStatus {
  const prior = inputs.guard.status?.cost;
  const estimatedHourly = formatMicros(inputs.estimate.hourly);
  const worstCaseHourly = formatMicros(inputs.estimate.worstCase);
  const changed = prior?.estimatedHourly !== estimatedHourly || prior.worstCaseHourly !== worstCaseHourly;
  const updatedAt = changed || sample || !prior.updatedAt ? iso(inputs.nowMs) : prior.updatedAt;
  const budget = inputs.guard.spec.cost?.budget ? budgetFields(inputs, prior) : {};
  return { estimatedHourly, worstCaseHourly, priceTable: inputs.priceTable, ...anomalyFields(inputs, sample, prior), ...budget, updatedAt };
}

function trackedCondition(inputs: CostInputs, caps: readonly Cap[]): ConditionInput {
  const type = ConditionType.CostTracked;
  const e = inputs.estimate;
  if (inputs.budget?.error) return { type, status: 'False', reason: 'BudgetFailed', message: inputs.budget.error };
  if (e.unpriced.length) {
    return {
      type, status: 'False', reason: 'UnpricedInstanceType',
      message: `No price for ${list(e.unpriced)} in ${inputs.region} (price table ${inputs.priceTable}); the estimate leaves them out. ${unpricedAdvice(e.unpriced)}`,
    };
  }
  const figures = figuresText(inputs);
  const budget = budgetNews(inputs);
  if (caps.length) {
    const held = caps.map((c) => `${c.target} at ${c.value}`);
    return { type, status: 'True', reason: 'HourlyCeilingBinding', message: `${figures}; hourlyCeiling $${inputs.guard.spec.cost?.hourlyCeiling}/h binds: MaxSize held for ${list(held)}${budget}.` };
  }
  const exceeded = exceededCondition(inputs, figures, budget);
  if (exceeded) return exceeded;
  if (inputs.refused?.length) {
    return { type, status: 'False', reason: 'NotPermitted', message: `${figures}. Refused by the operator's tenancy policy, neither read nor written: ${inputs.refused.join('; ')}.` };
  }
  return { type, status: 'True', reason: 'Tracking', message: `${figures}${budget}.` };
}

function figuresText(inputs: CostInputs): string {
  const e = inputs.estimate;
  const uncounted = e.uncounted.length ? `, not counting ${list(e.uncounted)} (no limits.nodes ceiling)` : '';
  return `Estimate ${usd(e.hourly)}/h, worst case ${usd(e.worstCase)}/h at the ceilings${uncounted} (price table ${inputs.priceTable})`;
}

/** "; created AWS Budget …" or "; DryRun: would create AWS Budget … (values)", or nothing. */
function budgetNews(inputs: CostInputs): string {
  const news = inputs.budget?.changed ?? inputs.budgetPending;
  return news ? `; ${news}` : '';
}

/** The worst case is above hourlyCeiling and nothing the guard names can be held (NodePools only). */
function exceededCondition(inputs: CostInputs, figures: string, budget: string): ConditionInput | undefined {
  const ceiling = inputs.guard.spec.cost?.hourlyCeiling;
  if (!ceiling || inputs.estimate.worstCase <= parseMicros(ceiling)) return undefined;
  return {
    type: ConditionType.CostTracked, status: 'True', reason: 'HourlyCeilingExceeded',
    message: `${figures}: above hourlyCeiling $${ceiling}/h, and nothing here can be held (hourlyCeiling holds Auto Scaling groups only; NodePools count but get no hold): lower their limits${budget}.`,
  };
}

/** What to do about unpriced types: groups take an override; NodePools have none. */
function unpricedAdvice(unpriced: readonly string[]): string {
  const groups = unpriced.some((u) => u.startsWith('asg/'));
  const pools = unpriced.some((u) => u.startsWith('NodePool/'));
  return [
    ...(groups ? ['Set scalingGroups[].pricePerHour for the groups.'] : []),
    ...(pools ? ['NodePools take no price override: their figures are lower bounds until the price table lists the type.'] : []),
  ].join(' ');
}

function budgetCondition(b: BudgetOutcome | undefined): ConditionInput | undefined {
  if (!b?.reading || !b.verdict) return undefined;
  const type = ConditionType.BudgetAtRisk;
  if (b.verdict.crossed.length) return { type, status: 'True', reason: 'ThresholdCrossed', message: `${b.verdict.evidence.join('; ')}.` };
  const r = b.reading;
  return { type, status: 'False', reason: 'WithinBudget', message: `Budget ${r.name}: actual $${r.actual ?? '0'}, forecast $${r.forecast ?? '0'} of $${r.limit} (${b.verdict.percent}%).` };
}

function anomalyCondition(sample: AnomalyVerdict | undefined, explorer: ExplorerVerdict | undefined): ConditionInput | undefined {
  const type = ConditionType.CostAnomaly;
  if (explorer?.anomalous) return { type, status: 'True', reason: 'CostExplorerSpendChange', message: `${[...explorer.evidence, ...(sample?.evidence ?? [])].join('; ')}.` };
  if (!sample) return undefined;
  if (sample.anomalous) return { type, status: 'True', reason: 'SpendChange', message: `${sample.evidence.join('; ')}.` };
  if (sample.baselineHourly === undefined) return { type, status: 'False', reason: 'Learning', message: 'No baseline for this hour yet; the first verdict comes after one full period.' };
  return { type, status: 'False', reason: 'WithinBaseline', message: `${sample.evidence.join('; ')}.` };
}

function wasTrue(guard: CostGuard, type: string): boolean {
  return guard.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

function guardRef(guard: CostGuard): string {
  return `costguard/${guard.metadata.name} -n ${guard.metadata.namespace}`;
}

function budgetAlerts(inputs: CostInputs, out: Pick<CostDecision, 'fire' | 'resolve'>): void {
  const b = inputs.budget;
  if (!b?.verdict) return;
  for (const [i, t] of b.verdict.crossed.entries()) {
    out.fire.push({
      incident: budgetIncident(t),
      severity: t.type === 'ACTUAL' && t.percent >= 100 ? 'critical' : 'warning',
      title: `Budget ${b.desired.budget.name}: ${t.type === 'ACTUAL' ? 'actual' : 'forecast'} spend reached ${t.percent}%`,
      evidence: [b.verdict.evidence[i] ?? ''],
      actions: ['None: CostGuard reports budget thresholds; the hourly ceiling and the brake act on capacity.'],
      undo: `kubectl edit ${guardRef(inputs.guard)}   # spec.cost.budget`,
    });
  }
  if (!wasTrue(inputs.guard, ConditionType.BudgetAtRisk)) return;
  const crossed = new Set(b.verdict.crossed.map(budgetIncident));
  for (const t of b.desired.thresholds.filter((x) => !crossed.has(budgetIncident(x)))) {
    out.resolve.push({ incident: budgetIncident(t), summary: `Spend is back under ${t.percent}% (${t.type}) of budget ${b.desired.budget.name}.` });
  }
}

/**
 * Fired while hourlyCeiling binds (the worst case at the ceilings is above it): with the holds
 * it sets, or saying that nothing it names can be held (NodePools get no cost hold). Resolved
 * once it binds no more.
 */
function ceilingAlerts(inputs: CostInputs, caps: readonly Cap[], out: Pick<CostDecision, 'fire' | 'resolve'>): void {
  const ceiling = inputs.guard.spec.cost?.hourlyCeiling;
  if (ceiling && inputs.estimate.worstCase > parseMicros(ceiling)) {
    const notActing = notActingOf(inputs.guard);
    out.fire.push(hourlyCeilingAlert({ ceiling, worstCase: formatMicros(inputs.estimate.worstCase), caps, edit: `kubectl edit ${guardRef(inputs.guard)}`, notActing }));
    return;
  }
  const was = inputs.guard.status?.holds?.some((h) => h.owner === 'cost') || wasReason(inputs.guard, ConditionType.CostTracked, CEILING_REASONS);
  if (was) {
    out.resolve.push({ incident: HOURLY_CEILING_INCIDENT, summary: `The worst case at the ceilings, ${usd(inputs.estimate.worstCase)}/h, is within hourlyCeiling${ceiling ? ` $${ceiling}/h` : ' (removed)'}; no cost hold remains.` });
  }
}

const CEILING_REASONS = ['HourlyCeilingBinding', 'HourlyCeilingExceeded'];

function wasReason(guard: CostGuard, type: string, reasons: readonly string[]): boolean {
  return guard.status?.conditions?.some((c) => c.type === type && reasons.includes(c.reason)) ?? false;
}

function notActingOf(guard: CostGuard): string | undefined {
  if (pauseState(guard).paused) return 'Paused';
  return guard.spec.mode === 'Enforce' ? undefined : 'DryRun';
}

function anomalyAlerts(inputs: CostInputs, condition: ConditionInput | undefined, out: Pick<CostDecision, 'fire' | 'resolve'>): void {
  if (!condition) return;
  if (condition.status === 'True') {
    out.fire.push({
      incident: ANOMALY_INCIDENT,
      severity: 'warning',
      title: 'Spend anomaly: hourly cost rose above its baseline',
      evidence: (condition.message ?? '').replace(/\.$/, '').split('; '),
      actions: ['None: an anomaly is reported; hourlyCeiling and the runaway brake act on capacity.'],
      undo: `kubectl edit ${guardRef(inputs.guard)}   # spec.cost.anomaly`,
    });
  } else if (wasTrue(inputs.guard, ConditionType.CostAnomaly)) {
    out.resolve.push({ incident: ANOMALY_INCIDENT, summary: condition.message ?? 'Spend is back within its baseline.' });
  }
}

/** The day's Cost Explorer verdict: fresh from this reconcile, else rebuilt from status. */
function explorerVerdict(inputs: CostInputs): ExplorerVerdict | undefined {
  if (inputs.explorer) return inputs.explorer;
  const prior = inputs.guard.status?.cost?.costExplorer;
  const anomaly = inputs.guard.spec.cost?.anomaly;
  if (!prior?.dailyAverage || !anomaly) return undefined;
  const days = [{ day: 'before', micros: parseMicros(prior.dailyAverage) }, { day: prior.day, micros: parseMicros(prior.dailyCost) }];
  return judgeExplorer(days, anomaly.spendChangePercent ?? 50);
}

export function decideCost(inputs: CostInputs): CostDecision {
  const caps = capsFor(inputs);
  const sample = sampleAnomaly(inputs, inputs.guard.status?.cost);
  const anomaly = anomalyCondition(sample, explorerVerdict(inputs));
  const conditions = [trackedCondition(inputs, caps), budgetCondition(inputs.budget), anomaly].filter((c): c is ConditionInput => c !== undefined);
  const out: CostDecision = { cost: nextCost(inputs, sample), conditions, holds: holdsFor(inputs, caps), caps, anomalous: anomaly?.status === 'True', unpriced: inputs.estimate.unpriced, fire: [], resolve: [] };
  budgetAlerts(inputs, out);
  ceilingAlerts(inputs, caps, out);
  anomalyAlerts(inputs, anomaly, out);
  return out;
}
