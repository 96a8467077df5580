// The cost controller against a real API server and moto: pricing from launch templates and
// mixed-instances groups, status.cost on apply, the hourly ceiling as holds.
import assert from 'node:assert/strict';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { SHIPPED_PRICES } from '../../../src/cloud/pricing/prices.ts';
import { formatMicros } from '../../../src/cloud/pricing/money.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, kubectl, waitForCondition } from '../controllers/helpers.ts';
import { REGION } from '../cloud/fixtures.ts';
import { autoscaling, group, launchTemplate, RecordingNotifier, startCostOperator } from './helpers.ts';

const price = (type: string): number => SHIPPED_PRICES.hourly(REGION, type)!;

describe('cost: live estimate and worst case', function () {
  let ns: string;
  let operator: RunningOperator;
  const notifier = new RecordingNotifier();
  const name = (suffix: string): string => `${ns}-${suffix}`;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('cost');
    operator = await startCostOperator(ns, notifier);
  });

  after(async () => {
    await operator?.stop();
  });

  it('prices a group with no instances from its launch template (worst case) and fills status.cost on apply', async () => {
    await launchTemplate(name('lt'), 'm5.large');
    await group({ AutoScalingGroupName: name('lt-asg'), LaunchTemplate: { LaunchTemplateName: name('lt') }, MinSize: 0, MaxSize: 10, DesiredCapacity: 0 });
    await createGuard(ns, 'lt', { scalingGroups: [{ name: name('lt-asg'), maxSize: 4 }], cost: {} });
    const guard = await waitForCondition(ns, 'lt', { type: 'CostTracked', status: 'True' });
    assert.equal(guard.status?.cost?.estimatedHourly, '0.00');
    assert.equal(guard.status?.cost?.worstCaseHourly, formatMicros(4 * price('m5.large')));
    assert.equal(guard.status?.cost?.priceTable, SHIPPED_PRICES.version);
    assert.ok(guard.status?.cost?.updatedAt);
    const columns = await kubectl(['get', 'costguard', 'lt', '-n', ns, '--no-headers']);
    assert.match(columns, /0\.00\s+0\.384/);
    await eventually('the worst-case metric', async () => {
      const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_cost_worst_case_hourly_usd');
      return new RegExp(`costguard_cost_worst_case_hourly_usd\\{namespace="${ns}",name="lt"\\} 0\\.384`).test(metrics);
    });
  });

  it('prices a mixed-instances group by the types its instances run and its dearest override', async () => {
    await launchTemplate(name('mixed-lt'), 't3.micro');
    await group({
      AutoScalingGroupName: name('mixed'),
      MixedInstancesPolicy: {
        LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: name('mixed-lt') }, Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 'm5.large' }] },
      },
      MinSize: 0, MaxSize: 6, DesiredCapacity: 2,
    });
    const live = (await autoscaling().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name('mixed')] }))).AutoScalingGroups?.[0];
    const running = (live?.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
    assert.ok(running.length > 0, 'moto launched instances');
    const expected = running.reduce((sum, i) => sum + price(i.InstanceType!), 0);
    await createGuard(ns, 'mixed', { scalingGroups: [{ name: name('mixed'), maxSize: 5 }] });
    const guard = await eventually('status.cost of mixed', async () => {
      const g = await getGuard(ns, 'mixed');
      return g.status?.cost?.estimatedHourly ? g : undefined;
    });
    assert.equal(guard.status?.cost?.estimatedHourly, formatMicros(expected));
    assert.equal(guard.status?.cost?.worstCaseHourly, formatMicros(5 * price('m5.large')));
  });

  it('uses a per-group price override, "0" included, and reports a type it has no price for', async () => {
    await launchTemplate(name('odd-lt'), 'u-6tb1.112xlarge');
    await group({ AutoScalingGroupName: name('odd'), LaunchTemplate: { LaunchTemplateName: name('odd-lt') }, MinSize: 0, MaxSize: 3, DesiredCapacity: 0 });
    await createGuard(ns, 'odd', { scalingGroups: [{ name: name('odd'), maxSize: 3 }], cost: {} });
    const unpriced = await waitForCondition(ns, 'odd', { type: 'CostTracked', status: 'False', reason: 'UnpricedInstanceType' });
    assert.match(unpriced.status?.conditions?.find((c) => c.type === 'CostTracked')?.message ?? '', new RegExp(`asg/${name('odd')}: u-6tb1\\.112xlarge in us-east-1`));
    assert.equal(unpriced.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    await eventually('the unpriced metric', async () => {
      const metrics = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_cost_unpriced_instance_types');
      return new RegExp(`\\{namespace="${ns}",name="odd"\\} 1`).test(metrics);
    });

    await kubectl(['patch', 'costguard', 'odd', '-n', ns, '--type=merge', '-p', JSON.stringify({ spec: { scalingGroups: [{ name: name('odd'), maxSize: 3, pricePerHour: '0' }] } })]);
    const free = await waitForCondition(ns, 'odd', { type: 'CostTracked', status: 'True' });
    assert.equal(free.status?.cost?.worstCaseHourly, '0.00');
  });

  it('reads each launch template version once (cached), and adds no Auto Scaling calls of its own for named groups', async () => {
    const calls = async (operation: string): Promise<number> => {
      const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_aws_calls_total');
      return [...text.matchAll(new RegExp(`costguard_aws_calls_total\\{[^}]*operation="${operation}"[^}]*\\} (\\d+)`, 'g'))].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const reconciles = async (): Promise<number> => {
      const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_total');
      return [...text.matchAll(/costguard_reconcile_total\{[^}]*controller="cost"[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const templates = await calls('DescribeLaunchTemplateVersions');
    const describes = await calls('DescribeAutoScalingGroups');
    const seen = await reconciles();
    await eventually('five more cost reconciles', async () => (await reconciles()) >= seen + 5, 20_000);
    // The guards of this suite use 4 templates, read when first seen; none is read again within the hour.
    assert.equal(await calls('DescribeLaunchTemplateVersions'), templates);
    // Describe calls come from the shared snapshot (one per resync for all guards), not one per guard and controller.
    const perReconcile = ((await calls('DescribeAutoScalingGroups')) - describes) / ((await reconciles()) - seen);
    assert.ok(perReconcile <= 1, `DescribeAutoScalingGroups per cost reconcile: ${perReconcile}`);
  });

  it('turns hourlyCeiling into a cost hold on MaxSize and says the $ cap binds', async () => {
    await launchTemplate(name('cap-lt'), 'm5.large');
    await group({ AutoScalingGroupName: name('cap'), LaunchTemplate: { LaunchTemplateName: name('cap-lt') }, MinSize: 0, MaxSize: 20, DesiredCapacity: 0 });
    await createGuard(ns, 'cap', { scalingGroups: [{ name: name('cap'), maxSize: 20 }], cost: { hourlyCeiling: '0.50' } });
    const guard = await waitForCondition(ns, 'cap', { type: 'CostTracked', status: 'True', reason: 'HourlyCeilingBinding' });
    const holds = guard.status?.holds?.filter((h) => h.owner === 'cost');
    assert.deepEqual(holds?.map((h) => [h.target, h.value]), [[`asg/${name('cap')}`, 5]]);
    assert.match(holds?.[0]?.reason ?? '', /hourlyCeiling \$0\.50\/h/);
    // Binding is an alert, with the holds (DryRun: what would be held).
    const alert = notifier.fired('cap', 'cost-hourly-ceiling');
    assert.equal(alert?.title, 'hourlyCeiling $0.50/h binds: the worst case at the ceilings is $1.92/h');
    assert.deepEqual(alert?.actions, [`DryRun: CostGuard would hold asg/${name('cap')} MaxSize at most 5; nothing is written.`]);

    await kubectl(['patch', 'costguard', 'cap', '-n', ns, '--type=merge', '-p', '{"spec":{"cost":{"hourlyCeiling":"5.00"}}}']);
    const lifted = await waitForCondition(ns, 'cap', { type: 'CostTracked', status: 'True', reason: 'Tracking' });
    assert.equal(lifted.status?.holds?.some((h) => h.owner === 'cost') ?? false, false);
    assert.ok(notifier.calls.some((c) => c.kind === 'resolve' && c.guard === 'cap' && c.incident === 'cost-hourly-ceiling'), 'resolved once it no longer binds');
  });
});
