import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import type { BudgetReading } from '../../../src/cloud/budgets.ts';
import { budgetDifferences, budgetNameOf, desiredBudget, judgeBudget, planBudget } from '../../../src/controllers/cost/budget-decide.ts';

function guard(budget: Record<string, unknown>): CostGuard {
  return { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: 'orders', namespace: 'pay' }, spec: { cost: { budget } } } as unknown as CostGuard;
}

const reading = (overrides: Partial<BudgetReading> = {}): BudgetReading => ({ name: 'costguard-pay-orders', limit: '5000.0', timeUnit: 'MONTHLY', costFilters: { TagKeyValue: ['user:app$orders'] }, ...overrides });

describe('budget decisions', () => {
  it('names the budget costguard-<namespace>-<name> unless the spec names it', () => {
    assert.equal(budgetNameOf(guard({ monthlyLimit: '1' })), 'costguard-pay-orders');
    assert.equal(budgetNameOf(guard({ monthlyLimit: '1', name: 'team-budget' })), 'team-budget');
  });

  it('describes limit, monthly unit, tag filters in AWS syntax, and thresholds', () => {
    const d = desiredBudget(guard({ monthlyLimit: '5000', costFilters: { tags: { app: ['orders', 'billing'] } }, notifications: [{ type: 'FORECASTED', percent: 80 }] }));
    assert.deepEqual(d?.budget, { name: 'costguard-pay-orders', limit: '5000', timeUnit: 'MONTHLY', costFilters: { TagKeyValue: ['user:app$billing', 'user:app$orders'] } });
    assert.deepEqual(d?.thresholds, [{ type: 'FORECASTED', percent: 80 }]);
    assert.deepEqual(d?.awsThresholds, [], 'AWS notifications need a subscriber');
  });

  it('alerts at 100% of actual and forecast when the spec lists no notifications', () => {
    assert.deepEqual(desiredBudget(guard({ monthlyLimit: '5' }))?.thresholds, [{ type: 'ACTUAL', percent: 100 }, { type: 'FORECASTED', percent: 100 }]);
  });

  it('compares limits as amounts ("5000" equals AWS\'s "5000.0") and filters as sets', () => {
    const d = desiredBudget(guard({ monthlyLimit: '5000', costFilters: { tags: { app: ['orders'] } } }))!;
    assert.deepEqual(budgetDifferences(d.budget, reading()), []);
    assert.deepEqual(budgetDifferences(d.budget, reading({ limit: '4000' })), ['limit 4000 → 5000']);
    assert.deepEqual(budgetDifferences(d.budget, reading({ costFilters: {} })), ['cost filter TagKeyValue [] → [user:app$orders]']);
  });

  const plans: { name: string; observed: Parameters<typeof planBudget>[1]; managed: boolean; kind: string }[] = [
    { name: 'creates a budget that does not exist', observed: {}, managed: false, kind: 'create' },
    { name: 'never writes a budget someone else created, even when it differs', observed: { reading: reading({ limit: '1' }) }, managed: false, kind: 'foreign' },
    { name: 'recreates its own budget when limit or filters changed (no UpdateBudget)', observed: { reading: reading({ limit: '1' }), thresholds: [] }, managed: true, kind: 'recreate' },
    { name: 'leaves its own matching budget alone', observed: { reading: reading(), thresholds: [] }, managed: true, kind: 'inSync' },
    { name: 'removes AWS notifications the spec no longer has', observed: { reading: reading(), thresholds: [{ type: 'ACTUAL', percent: 90 }] }, managed: true, kind: 'notifications' },
  ];
  for (const c of plans) {
    it(c.name, () => {
      const d = desiredBudget(guard({ monthlyLimit: '5000', costFilters: { tags: { app: ['orders'] } } }))!;
      assert.equal(planBudget(d, c.observed, c.managed).kind, c.kind);
    });
  }

  it('adds and removes notifications through the notifications API when subscribers are set', () => {
    const d = desiredBudget(guard({ monthlyLimit: '5000', costFilters: { tags: { app: ['orders'] } }, subscribers: [{ type: 'EMAIL', address: 'a@example.com' }], notifications: [{ type: 'ACTUAL', percent: 100 }, { type: 'FORECASTED', percent: 80 }] }))!;
    const plan = planBudget(d, { reading: reading(), thresholds: [{ type: 'ACTUAL', percent: 100 }, { type: 'ACTUAL', percent: 50 }] }, true);
    assert.deepEqual(plan, { kind: 'notifications', add: [{ type: 'FORECASTED', percent: 80 }], remove: [{ type: 'ACTUAL', percent: 50 }] });
  });

  it('judges thresholds on actual and forecast spend, with evidence', () => {
    const v = judgeBudget([{ type: 'FORECASTED', percent: 80 }, { type: 'ACTUAL', percent: 100 }], reading({ actual: '3000', forecast: '4100.5' }));
    assert.deepEqual(v.crossed, [{ type: 'FORECASTED', percent: 80 }]);
    assert.equal(v.percent, 82);
    assert.deepEqual(v.evidence, ['forecast month-end spend $4100.50 is 82% of the $5000.00 budget costguard-pay-orders (threshold 80%)']);
    assert.deepEqual(judgeBudget([{ type: 'ACTUAL', percent: 100 }], reading({ actual: '4999.99' })).crossed, []);
  });
});
