// hourlyCeiling alerts when it binds (the worst case at the ceilings above it), with the holds
// or with the reason nothing can be held; a budget write DryRun holds back is told with values.
import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { priceBook } from '../../../src/cloud/pricing/prices.ts';
import { desiredBudget } from '../../../src/controllers/cost/budget-decide.ts';
import { decideCost, type CostInputs } from '../../../src/controllers/cost/decide.ts';
import { estimateCost, type PricedTarget } from '../../../src/controllers/cost/estimate-decide.ts';
import { budgetValues, HOURLY_CEILING_INCIDENT } from '../../../src/controllers/cost/visible.ts';

const T0 = Date.UTC(2026, 10, 30, 12);
const prices = priceBook({ 'us-east-1': { 'm5.large': '0.096' } }, '2025-06', 'test');

function guard(spec: Record<string, unknown>, status: Record<string, unknown> = {}, annotations?: Record<string, string>): CostGuard {
  return { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: 'g', namespace: 'ns', generation: 1, ...(annotations ? { annotations } : {}) }, spec: { mode: 'Enforce', ...spec }, status } as unknown as CostGuard;
}

function inputs(g: CostGuard, targets: PricedTarget[], extra: Partial<CostInputs> = {}): CostInputs {
  return {
    guard: g, nowMs: T0, region: 'us-east-1', priceTable: '2025-06',
    estimate: estimateCost(targets, 'us-east-1', prices),
    groups: targets.filter((t) => t.target.startsWith('asg/')).map((t) => ({ target: t.target, ceiling: t.ceiling ?? 0, desired: Object.values(t.running).reduce((a, b) => a + b, 0) })),
    ...extra,
  };
}

const asg = (name: string, running: number, ceiling: number): PricedTarget => ({ target: `asg/${name}`, ceiling, running: { 'm5.large': running }, mayLaunch: ['m5.large'] });
const pool = (name: string, running: number, nodes: number): PricedTarget => ({ target: `NodePool/${name}`, ceiling: nodes, running: { 'm5.large': running }, mayLaunch: ['m5.large'] });

describe('cost: every act visible', () => {
  it('hourlyCeiling binding fires one alert with the worst case, the ceiling and each hold', () => {
    const g = guard({ scalingGroups: [{ name: 'a', maxSize: 20 }], cost: { hourlyCeiling: '1.00' } });
    const d = decideCost(inputs(g, [asg('a', 4, 20)]));
    assert.equal(d.fire.length, 1);
    const a = d.fire[0]!;
    assert.equal(a.incident, HOURLY_CEILING_INCIDENT);
    assert.equal(a.title, 'hourlyCeiling $1.00/h binds: the worst case at the ceilings is $1.92/h');
    assert.deepEqual(a.evidence, ['worst case at the spec ceilings $1.92/h, above hourlyCeiling $1.00/h', 'asg/a MaxSize at most 10']);
    assert.deepEqual(a.actions, ['CostGuard holds asg/a MaxSize at most 10 (status.holds, owner cost).']);
  });

  it('in DryRun the alert says what would be held and that nothing is written', () => {
    const g = guard({ mode: 'DryRun', scalingGroups: [{ name: 'a', maxSize: 20 }], cost: { hourlyCeiling: '1.00' } });
    assert.deepEqual(decideCost(inputs(g, [asg('a', 4, 20)])).fire[0]?.actions, ['DryRun: CostGuard would hold asg/a MaxSize at most 10; nothing is written.']);
  });

  it('NodePools alone above hourlyCeiling: the alert and CostTracked say nothing can be held, not silence', () => {
    const g = guard({ nodePools: [{ name: 'batch', limits: { nodes: '16' } }], cost: { hourlyCeiling: '1.00' } });
    const d = decideCost(inputs(g, [pool('batch', 2, 16)]));
    assert.deepEqual(d.holds, []);
    assert.match(d.fire[0]?.actions[0] ?? '', /^None: nothing it names can be held/);
    assert.equal(d.conditions[0]?.reason, 'HourlyCeilingExceeded');
    assert.match(d.conditions[0]?.message ?? '', /worst case \$1\.536\/h at the ceilings.*: above hourlyCeiling \$1\.00\/h, and nothing here can be held/);
  });

  it('within hourlyCeiling: no alert; once it no longer binds, the incident is resolved', () => {
    const spec = { scalingGroups: [{ name: 'a', maxSize: 5 }], cost: { hourlyCeiling: '1.00' } };
    assert.deepEqual(decideCost(inputs(guard(spec), [asg('a', 4, 5)])).fire, []);
    assert.deepEqual(decideCost(inputs(guard(spec), [asg('a', 4, 5)])).resolve, []);
    const held = guard(spec, { holds: [{ owner: 'cost', target: 'asg/a', value: 10, reason: 'x', since: new Date(T0).toISOString() }] });
    assert.deepEqual(decideCost(inputs(held, [asg('a', 4, 5)])).resolve.map((r) => r.incident), [HOURLY_CEILING_INCIDENT]);
  });

  it('a budget DryRun would create is named with its values, and CostTracked keeps saying it between reads', () => {
    const g = guard({ mode: 'DryRun', cost: { budget: { monthlyLimit: '5000', notifications: [{ type: 'FORECASTED', percent: 80 }, { type: 'ACTUAL', percent: 100 }], costFilters: { tags: { app: ['orders'] } } } } });
    assert.equal(budgetValues(desiredBudget(g)!), '$5000 per month; thresholds FORECASTED 80 %, ACTUAL 100 %; filter TagKeyValue [user:app$orders]');
    const pending = `DryRun: would create AWS Budget costguard-ns-g (${budgetValues(desiredBudget(g)!)})`;
    const d = decideCost(inputs(g, [asg('a', 1, 2)], { budgetPending: pending }));
    assert.equal(d.conditions[0]?.message, `Estimate $0.096/h, worst case $0.192/h at the ceilings (price table 2025-06); ${pending}.`);
  });
});
