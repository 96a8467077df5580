import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { priceBook } from '../../../src/cloud/pricing/prices.ts';
import { desiredBudget, judgeBudget } from '../../../src/controllers/cost/budget-decide.ts';
import { decideCost, SAMPLE_EVERY_MS, type CostInputs } from '../../../src/controllers/cost/decide.ts';
import { estimateCost, type PricedTarget } from '../../../src/controllers/cost/estimate-decide.ts';

const T0 = Date.UTC(2026, 10, 30, 12);
const prices = priceBook({ 'us-east-1': { 'm5.large': '0.096' } }, '2025-06', 'test');

function guard(spec: Record<string, unknown>, status: Record<string, unknown> = {}): CostGuard {
  return { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: 'g', namespace: 'ns', generation: 1 }, spec: { mode: 'Enforce', ...spec }, status } as unknown as CostGuard;
}

function inputs(g: CostGuard, targets: PricedTarget[], extra: Partial<CostInputs> = {}): CostInputs {
  return {
    guard: g, nowMs: T0, region: 'us-east-1', priceTable: '2025-06',
    estimate: estimateCost(targets, 'us-east-1', prices),
    groups: targets.map((t) => ({ target: t.target, ceiling: t.ceiling ?? 0, desired: Object.values(t.running).reduce((a, b) => a + b, 0) })),
    ...extra,
  };
}

const asg = (name: string, running: number, ceiling: number): PricedTarget => ({ target: `asg/${name}`, ceiling, running: { 'm5.large': running }, mayLaunch: ['m5.large'] });

describe('decideCost', () => {
  it('fills status.cost and says CostTracked with the figures and the price table', () => {
    const d = decideCost(inputs(guard({ scalingGroups: [{ name: 'a', maxSize: 10 }] }), [asg('a', 4, 10)]));
    assert.deepEqual({ e: d.cost.estimatedHourly, w: d.cost.worstCaseHourly, p: d.cost.priceTable, u: d.cost.updatedAt }, { e: '0.384', w: '0.96', p: '2025-06', u: new Date(T0).toISOString() });
    assert.deepEqual(d.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['CostTracked=True/Tracking']);
    assert.match(d.conditions[0]?.message ?? '', /Estimate \$0\.384\/h, worst case \$0\.96\/h at the ceilings \(price table 2025-06\)/);
    assert.deepEqual(d.holds, []);
  });

  it('an unpriced type makes CostTracked False with the type, region and the way out', () => {
    const d = decideCost(inputs(guard({ cost: {} }), [{ target: 'asg/x', ceiling: 3, running: { 'z1.odd': 1 }, mayLaunch: ['z1.odd'] }]));
    assert.equal(d.conditions[0]?.reason, 'UnpricedInstanceType');
    assert.match(d.conditions[0]?.message ?? '', /No price for asg\/x: z1\.odd in us-east-1 \(price table 2025-06\).*pricePerHour/);
    assert.deepEqual(d.unpriced, ['asg/x: z1.odd']);
  });

  it('hourlyCeiling writes cost holds and says the $ cap binds', () => {
    const g = guard({ scalingGroups: [{ name: 'a', maxSize: 20 }], cost: { hourlyCeiling: '1.00' } });
    const d = decideCost(inputs(g, [asg('a', 4, 20)]));
    assert.deepEqual(d.holds.map((h) => [h.owner, h.target, h.value]), [['cost', 'asg/a', 10]]);
    assert.match(d.holds[0]?.reason ?? '', /hourlyCeiling \$1\.00\/h: at most 10 instance\(s\) at up to \$0\.096\/h each/);
    assert.equal(d.conditions[0]?.reason, 'HourlyCeilingBinding');
    assert.match(d.conditions[0]?.message ?? '', /MaxSize held for asg\/a at 10/);
  });

  it('keeps updatedAt while nothing changed and the sample period has not passed', () => {
    const first = decideCost(inputs(guard({}), [asg('a', 1, 2)]));
    const later = decideCost({ ...inputs(guard({}, { cost: first.cost }), [asg('a', 1, 2)]), nowMs: T0 + 30_000 });
    assert.equal(later.cost.updatedAt, first.cost.updatedAt);
  });

  it('samples the anomaly baseline at most every 5 minutes', () => {
    const g = guard({ cost: { anomaly: { spendChangePercent: 50, baselineWindow: '7d' } } });
    const first = decideCost(inputs(g, [asg('a', 1, 2)]));
    assert.equal(first.cost.baseline?.hourSamples, 1);
    assert.equal(first.conditions.find((c) => c.type === 'CostAnomaly')?.reason, 'Learning');
    const soon = decideCost({ ...inputs(guard(g.spec, { cost: first.cost }), [asg('a', 2, 2)]), nowMs: T0 + 60_000 });
    assert.equal(soon.cost.baseline?.hourSamples, 1);
    assert.notEqual(soon.cost.updatedAt, first.cost.updatedAt, 'the estimate changed');
    // The estimate changing does not postpone the next sample: it is due 5 minutes after the last one.
    const later = decideCost({ ...inputs(guard(g.spec, { cost: soon.cost }), [asg('a', 1, 2)]), nowMs: T0 + SAMPLE_EVERY_MS });
    assert.equal(later.cost.baseline?.hourSamples, 2);
  });

  it('fires one alert per crossed budget threshold, and resolves those no longer crossed', () => {
    const spec = { cost: { budget: { monthlyLimit: '100', notifications: [{ type: 'ACTUAL', percent: 50 }, { type: 'FORECASTED', percent: 100 }] } } };
    const desired = desiredBudget(guard(spec))!;
    const reading = { ...desired.budget, actual: '60', forecast: '90' };
    const d = decideCost(inputs(guard(spec), [], { budget: { desired, managed: true, reading, verdict: judgeBudget(desired.thresholds, reading) } }));
    assert.deepEqual(d.fire.map((a) => [a.incident, a.severity]), [['budget/ACTUAL/50', 'warning']]);
    assert.match(d.fire[0]?.evidence[0] ?? '', /actual spend \$60\.00 is 60% of the \$100\.00 budget/);
    assert.equal(d.conditions.find((c) => c.type === 'BudgetAtRisk')?.status, 'True');
    assert.deepEqual({ a: d.cost.budgetActual, f: d.cost.budgetForecast, p: d.cost.budgetPercent, m: d.cost.budgetManaged }, { a: '60.00', f: '90.00', p: 90, m: true });

    const atRisk = guard(spec, { conditions: [{ type: 'BudgetAtRisk', status: 'True', reason: 'ThresholdCrossed', message: '', lastTransitionTime: '2026-11-01T00:00:00Z' }] });
    const calm = { ...desired.budget, actual: '10', forecast: '20' };
    const after = decideCost(inputs(atRisk, [], { budget: { desired, managed: true, reading: calm, verdict: judgeBudget(desired.thresholds, calm) } }));
    assert.deepEqual(after.fire, []);
    assert.deepEqual(after.resolve.map((r) => r.incident), ['budget/ACTUAL/50', 'budget/FORECASTED/100']);
  });

  it('keeps the budget figures when the budget was not read in this reconcile', () => {
    const spec = { cost: { budget: { monthlyLimit: '100' } } };
    const d = decideCost(inputs(guard(spec, { cost: { budgetName: 'b', budgetActual: '5.00', budgetManaged: true } }), []));
    assert.deepEqual([d.cost.budgetName, d.cost.budgetActual, d.cost.budgetManaged], ['b', '5.00', true]);
    assert.equal(d.conditions.find((c) => c.type === 'BudgetAtRisk'), undefined);
  });
});
