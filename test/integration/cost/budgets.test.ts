// AWS Budgets and Cost Explorer through the cost controller, against moto and the real API
// server: created, read, kept in step, deleted (never one CostGuard did not create), spend
// thresholds via CalculatedSpend, and Cost Explorer results queued through moto's API.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { createGuard, createNamespace, eventually, installCrds, kubectl, waitForCondition, waitForEvents } from '../controllers/helpers.ts';
import { budgetRecord, createForeignBudget, group, launchTemplate, queueCostAndUsage, readBudget, readNotifications, RecordingNotifier, setSpend, startCostOperator } from './helpers.ts';

describe('cost: AWS Budgets and Cost Explorer', function () {
  let ns: string;
  let operator: RunningOperator;
  const notifier = new RecordingNotifier();

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('budget');
    operator = await startCostOperator(ns, notifier);
  });

  after(async () => {
    await operator?.stop();
  });

  /** A guard needs a target: an empty group launching m5.large from a template. */
  const target = async (suffix: string): Promise<{ scalingGroups: { name: string; maxSize: number }[] }> => {
    await launchTemplate(`${ns}-${suffix}`, 'm5.large');
    await group({ AutoScalingGroupName: `${ns}-${suffix}`, LaunchTemplate: { LaunchTemplateName: `${ns}-${suffix}` }, MinSize: 0, MaxSize: 2, DesiredCapacity: 0 });
    return { scalingGroups: [{ name: `${ns}-${suffix}`, maxSize: 2 }] };
  };

  const costReconciles = async (): Promise<number> => {
    const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_total');
    return [...text.matchAll(/costguard_reconcile_total\{[^}]*controller="cost"[^}]*\} (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
  };
  const moreCostReconciles = async (n: number): Promise<void> => {
    const seen = await costReconciles();
    await eventually(`${n} more cost reconciles`, async () => (await costReconciles()) >= seen + n, 20_000);
  };

  const patchSpec = (name: string, spec: unknown): Promise<string> => kubectl(['patch', 'costguard', name, '-n', ns, '--type=merge', '-p', JSON.stringify({ spec })]);

  it('creates the budget the spec describes, keeps it in step, reads spend, alerts at thresholds, and deletes it with the guard', async () => {
    const budgetName = `costguard-${ns}-orders`;
    await createGuard(ns, 'orders', {
      mode: 'Enforce',
      ...(await target('orders')),
      cost: { budget: { monthlyLimit: '100', costFilters: { tags: { app: ['orders'] } }, notifications: [{ type: 'ACTUAL', percent: 80 }, { type: 'FORECASTED', percent: 150 }] } },
    });
    const created = await eventually('budget created', () => readBudget(budgetName));
    assert.equal(Number(created.BudgetLimit?.Amount), 100);
    assert.equal(created.TimeUnit, 'MONTHLY');
    assert.deepEqual(created.CostFilters, { TagKeyValue: ['user:app$orders'] });
    const tracked = await waitForCondition(ns, 'orders', { type: 'BudgetAtRisk', status: 'False', reason: 'WithinBudget' });
    assert.equal(tracked.status?.cost?.budgetName, budgetName);
    assert.equal(tracked.status?.cost?.budgetManaged, true);
    assert.deepEqual(await budgetRecord(tracked.metadata.uid ?? ''), [{ name: budgetName, account: '123456789012' }], 'the operator recorded that it created the budget, in its own namespace');
    assert.ok(tracked.metadata.finalizers?.includes('costguard.io/budget'));
    const events = await waitForEvents(ns, 'orders', 'BudgetUpdated');
    assert.match(events[0]?.note ?? '', new RegExp(`CostGuard created AWS Budget ${budgetName}`));

    // The spec changes: the budget follows (moto has no UpdateBudget; delete + create).
    await patchSpec('orders', { cost: { budget: { monthlyLimit: '250', costFilters: { tags: { app: ['orders', 'billing'] } }, notifications: [{ type: 'ACTUAL', percent: 80 }, { type: 'FORECASTED', percent: 150 }] } } });
    const changed = await eventually('budget limit 250', async () => {
      const b = await readBudget(budgetName);
      return Number(b?.BudgetLimit?.Amount) === 250 ? b : undefined;
    });
    assert.deepEqual(changed.CostFilters, { TagKeyValue: ['user:app$billing', 'user:app$orders'] });

    // With a subscriber, the thresholds become AWS notifications, and follow the spec through the notifications API.
    const subscribers = [{ type: 'EMAIL', address: 'oncall@example.com' }];
    await patchSpec('orders', { cost: { budget: { subscribers, notifications: [{ type: 'ACTUAL', percent: 80 }, { type: 'FORECASTED', percent: 150 }] } } });
    await eventually('two AWS notifications', async () => (await readNotifications(budgetName)).join() === 'ACTUAL/80,FORECASTED/150');
    await patchSpec('orders', { cost: { budget: { notifications: [{ type: 'ACTUAL', percent: 80 }, { type: 'FORECASTED', percent: 120 }] } } });
    await eventually('FORECASTED 150 replaced by 120', async () => (await readNotifications(budgetName)).join() === 'ACTUAL/80,FORECASTED/120');
    assert.equal(Number((await readBudget(budgetName))?.BudgetLimit?.Amount), 250, 'a threshold change does not recreate the budget');

    // AWS recalculates spend: 210 of 250 actual (84%), forecast 300 (120%).
    await patchSpec('orders', { cost: { budget: { subscribers: null, notifications: [{ type: 'ACTUAL', percent: 80 }, { type: 'FORECASTED', percent: 150 }] } } });
    await eventually('AWS notifications removed with the subscribers', async () => (await readNotifications(budgetName)).length === 0);
    // moto has no way to change a budget's spend but delete + create; a cost reconcile that read
    // in between would see the name taken by "someone else" and give the budget up. The guard is
    // paused (no Budgets writes) while the spend is set, as AWS would recalculate it in place.
    await kubectl(['annotate', 'costguard', 'orders', '-n', ns, 'costguard.io/paused=true']);
    await moreCostReconciles(3);
    await setSpend(budgetName, '210', '300');
    await kubectl(['annotate', 'costguard', 'orders', '-n', ns, 'costguard.io/paused-']);
    const atRisk = await waitForCondition(ns, 'orders', { type: 'BudgetAtRisk', status: 'True', reason: 'ThresholdCrossed' });
    assert.match(atRisk.status?.conditions?.find((c) => c.type === 'BudgetAtRisk')?.message ?? '', /actual spend \$210\.00 is 84% of the \$250\.00 budget/);
    assert.deepEqual([atRisk.status?.cost?.budgetActual, atRisk.status?.cost?.budgetForecast, atRisk.status?.cost?.budgetPercent], ['210.00', '300.00', 120]);
    const alert = await eventually('budget alert fired', () => notifier.fired('orders', 'budget/ACTUAL/80'));
    assert.match(alert.title, /actual spend reached 80%/);
    assert.equal(notifier.fired('orders', 'budget/FORECASTED/150'), undefined, 'the forecast is under its threshold');
    const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_cost_budget_percent');
    assert.match(metrics, new RegExp(`\\{namespace="${ns}",name="orders"\\} 120`));

    await kubectl(['delete', 'costguard', 'orders', '-n', ns, '--wait=true', '--timeout=30s']);
    await eventually('budget deleted', async () => (await readBudget(budgetName)) === undefined);
    assert.equal(await budgetRecord(tracked.metadata.uid ?? ''), undefined, 'the record goes with the budget');
  });

  it('ownership is out of the author\'s reach: an annotation naming another team\'s budget neither deletes nor rewrites it', async () => {
    const theirs = `${ns}-finance`;
    await createForeignBudget(theirs, '300');
    // The old ownership annotation, set by the author, pointing at a budget they did not create,
    // with a different budget in the spec (CostGuard used to delete the "renamed" one) …
    await createGuard(ns, 'renamer', { mode: 'Enforce', ...(await target('renamer')), cost: { budget: { name: `${ns}-mine`, monthlyLimit: '5' } } }, { 'costguard.io/budget-created': theirs });
    await eventually('its own budget created', () => readBudget(`${ns}-mine`));
    // … and with the same name and the budget finalizer set by hand (CostGuard used to recreate it at 5).
    await createGuard(ns, 'rewriter', { mode: 'Enforce', ...(await target('rewriter')), cost: { budget: { name: theirs, monthlyLimit: '5' } } }, { 'costguard.io/budget-created': theirs });
    await kubectl(['patch', 'costguard', 'rewriter', '-n', ns, '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: ['costguard.io/budget'] } })]);
    const rewriter = await waitForCondition(ns, 'rewriter', { type: 'BudgetAtRisk', status: 'False' });
    assert.equal(rewriter.status?.cost?.budgetManaged, false);
    await kubectl(['delete', 'costguard', 'renamer', 'rewriter', '-n', ns, '--wait=true', '--timeout=30s']);
    assert.equal(Number((await readBudget(theirs))?.BudgetLimit?.Amount), 300, 'their budget is untouched: neither deleted nor rewritten');
    await eventually('the renamer\'s own budget went with it', async () => (await readBudget(`${ns}-mine`)) === undefined);
  });

  it('reads a budget it did not create but never changes or deletes it', async () => {
    const budgetName = `${ns}-team`;
    await createForeignBudget(budgetName, '1000');
    await createGuard(ns, 'team', { mode: 'Enforce', ...(await target('team')), cost: { budget: { name: budgetName, monthlyLimit: '50' } } });
    const guard = await waitForCondition(ns, 'team', { type: 'BudgetAtRisk', status: 'False' });
    assert.equal(guard.status?.cost?.budgetManaged, false);
    assert.equal(await budgetRecord(guard.metadata.uid ?? ''), undefined, 'no claim on a budget it found');
    assert.equal(Number((await readBudget(budgetName))?.BudgetLimit?.Amount), 1000, 'its limit is left as its owner set it');
    await kubectl(['delete', 'costguard', 'team', '-n', ns, '--wait=true', '--timeout=30s']);
    assert.ok(await readBudget(budgetName), 'the budget survives the guard');
  });

  it('in DryRun reports the budget it would create and creates nothing', async () => {
    await createGuard(ns, 'dry', { ...(await target('dry')), cost: { budget: { monthlyLimit: '10' } } });
    const guard = await waitForCondition(ns, 'dry', { type: 'CostTracked', status: 'True' });
    const would = `DryRun: would create AWS Budget costguard-${ns}-dry ($10 per month; thresholds ACTUAL 100 %, FORECASTED 100 %)`;
    assert.ok(guard.status?.conditions?.find((c) => c.type === 'CostTracked')?.message?.endsWith(`; ${would}.`));
    // A would-be write like any other: WouldClamp with its values, and no BudgetUpdated.
    const events = await waitForEvents(ns, 'dry', 'WouldClamp');
    assert.deepEqual(events.map((e) => e.note), [`${would}.`]);
    assert.equal(await readBudget(`costguard-${ns}-dry`), undefined);
  });

  it('cross-checks spend with Cost Explorer once a day: results queued in moto raise CostAnomaly with evidence', async () => {
    const today = new Date();
    const day = (back: number): string => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - back)).toISOString().slice(0, 10);
    await queueCostAndUsage([
      { day: day(3), amount: '40.00' },
      { day: day(2), amount: '40.00' },
      { day: day(1), amount: '100.00' },
    ]);
    const callsBefore = operator.cost.costExplorerCalls;
    await createGuard(ns, 'spend', { ...(await target('spend')), cost: { anomaly: { spendChangePercent: 50, baselineWindow: '3d' } } });
    const guard = await waitForCondition(ns, 'spend', { type: 'CostAnomaly', status: 'True', reason: 'CostExplorerSpendChange' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CostAnomaly')?.message ?? '', new RegExp(`Cost Explorer: ${day(1)} cost \\$100\\.00 vs \\$40\\.00/day .*\\(\\+150%\\)`));
    assert.deepEqual([guard.status?.cost?.costExplorer?.day, guard.status?.cost?.costExplorer?.dailyCost], [day(1), '100.00']);
    const alert = await eventually('anomaly alert fired', () => notifier.fired('spend', 'cost-anomaly'));
    assert.match(alert.evidence.join(' '), /Cost Explorer/);
    // Several resyncs later (1 s each) the day's answer is reused: one call in all.
    await moreCostReconciles(3);
    assert.equal(operator.cost.costExplorerCalls - callsBefore, 1);
  });
});
