// Where moto (pinned in hack/moto/requirements.txt) differs from AWS in ways that matter to
// CostGuard. Each test asserts moto's CURRENT behaviour, so a moto upgrade that closes a gap
// fails here and docs/aws.md ("Testing against moto") gets updated with it.
import assert from 'node:assert/strict';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { BudgetsClient, CreateBudgetCommand, DescribeBudgetActionsForAccountCommand, DescribeBudgetCommand, UpdateBudgetCommand } from '@aws-sdk/client-budgets';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from './fixtures.ts';

const ACCOUNT = '123456789012';

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

/** Cost Explorer has no client in our dependencies: call its JSON protocol by hand. */
async function costExplorer(operation: string, body: object): Promise<{ status: number; text: string }> {
  const res = await fetch(`${testEnv().awsEndpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSInsightsIndexService.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/ce/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('moto gaps we rely on knowing (docs/aws.md)', () => {
  let asg: AutoScalingClient;
  before(() => {
    asg = directClient();
  });
  after(async () => {
    asg.destroy();
    await testEnv().resetAws();
  });
  beforeEach(async () => {
    await testEnv().resetAws();
    await createGroups(asg, [{ name: 'g', minSize: 1, maxSize: 3, desired: 1 }]);
  });

  it('DescribeScalingActivities returns no activities, even after capacity changed', async () => {
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 2 }));
    const out = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g' }));
    assert.deepEqual(out.Activities, []);
  });

  it('SetDesiredCapacity above MaxSize is accepted (AWS: ValidationError)', async () => {
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 9 }));
    assert.equal((await readGroup(asg, 'g'))?.DesiredCapacity, 9);
  });

  it('UpdateAutoScalingGroup accepts DesiredCapacity above MaxSize (AWS: ValidationError)', async () => {
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 7 }));
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MaxSize: 2, DesiredCapacity: 6 }));
    const g = await readGroup(asg, 'g');
    assert.deepEqual([g?.MaxSize, g?.DesiredCapacity], [2, 6]);
  });

  it('UpdateAutoScalingGroup accepts MaxSize below MinSize (AWS: ValidationError "Max bound ... min bound")', async () => {
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MinSize: 2, MaxSize: 3 }));
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MaxSize: 1 }));
    const g = await readGroup(asg, 'g');
    assert.deepEqual([g?.MinSize, g?.MaxSize], [2, 1]);
  });

  it('UpdateAutoScalingGroup on a missing group: ValidationError "name not found", like AWS', async () => {
    await assert.rejects(asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'ghost', MaxSize: 1 })), { name: 'ValidationError', message: /AutoScalingGroup name not found/ });
  });

  it('SetDesiredCapacity on a missing group and MaxRecords > 100 answer HTTP 500 (AWS: ValidationError 400)', async () => {
    assert.equal(await status(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'ghost', DesiredCapacity: 1 }))), 500);
    assert.equal(await status(asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 }))), 500);
  });

  it('tag filters tag:KEY, tag-key and tag-value are supported and ANDed', async () => {
    await createGroups(asg, [{ name: 'tagged', tags: { app: 'a', env: 'prod' } }]);
    const describe = async (Filters: Array<{ Name: string; Values: string[] }>): Promise<string[]> =>
      ((await asg.send(new DescribeAutoScalingGroupsCommand({ Filters }))).AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName ?? '');
    assert.deepEqual(await describe([{ Name: 'tag:app', Values: ['a'] }, { Name: 'tag:env', Values: ['prod'] }]), ['tagged']);
    assert.deepEqual(await describe([{ Name: 'tag:app', Values: ['a'] }, { Name: 'tag:env', Values: ['dev'] }]), []);
    assert.deepEqual(await describe([{ Name: 'tag-key', Values: ['env'] }]), ['tagged']);
    assert.deepEqual(await describe([{ Name: 'tag-value', Values: ['prod'] }]), ['tagged']);
  });

  it('Budgets: CreateBudget/DescribeBudget work with spend always 0; UpdateBudget and budget actions answer HTTP 500', async () => {
    const budgets = new BudgetsClient({ region: REGION, maxAttempts: 1 });
    try {
      const Budget = { BudgetName: 'b', BudgetLimit: { Amount: '100', Unit: 'USD' }, TimeUnit: 'MONTHLY' as const, BudgetType: 'COST' as const };
      await budgets.send(new CreateBudgetCommand({ AccountId: ACCOUNT, Budget }));
      const described = await budgets.send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'b' }));
      assert.equal(described.Budget?.CalculatedSpend?.ActualSpend?.Amount, '0');
      const update = budgets.send(new UpdateBudgetCommand({ AccountId: ACCOUNT, NewBudget: { ...Budget, BudgetLimit: { Amount: '200', Unit: 'USD' } } }));
      assert.equal(await status(update), 500);
      assert.equal(await status(budgets.send(new DescribeBudgetActionsForAccountCommand({ AccountId: ACCOUNT }))), 500);
    } finally {
      budgets.destroy();
    }
  });

  it('Cost Explorer: GetCostAndUsage works (empty unless results are queued); anomaly and forecast calls answer HTTP 500', async () => {
    const usage = await costExplorer('GetCostAndUsage', { TimePeriod: { Start: '2025-01-01', End: '2025-01-02' }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] });
    assert.equal(usage.status, 200);
    assert.deepEqual((JSON.parse(usage.text) as { ResultsByTime: unknown[] }).ResultsByTime, []);
    const queued = await fetch(`${testEnv().awsEndpoint}/moto-api/static/ce/cost-and-usage-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ results: [{ ResultsByTime: [{ TimePeriod: { Start: '2025-01-01', End: '2025-01-02' }, Total: { UnblendedCost: { Amount: '12.5', Unit: 'USD' } }, Groups: [], Estimated: false }] }] }),
    });
    assert.equal(queued.status, 201);
    const again = await costExplorer('GetCostAndUsage', { TimePeriod: { Start: '2025-01-01', End: '2025-01-02' }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] });
    assert.match(again.text, /"Amount": "12.5"/);
    for (const op of ['GetAnomalyMonitors', 'GetAnomalies', 'GetCostForecast']) {
      const res = await costExplorer(op, op === 'GetAnomalies' ? { DateInterval: { StartDate: '2025-01-01' } } : {});
      assert.equal(res.status, 500, `${op} is not implemented`);
    }
  });
});
