// The tenancy policy enforced at one boundary, against the real API server and moto: a guard in a
// namespace the policy refuses AWS tries the ways around it the policy used to miss — naming
// another team's group as a peer with maxSize 1, restoring it on delete, reading a queue, creating
// a budget — and each is refused with a condition that names the rule, and nothing is written.
import assert from 'node:assert/strict';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from '../cloud/fixtures.ts';
import { readBudget } from '../cost/helpers.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { condition, createGuard, createNamespace, deleteGuard, eventually, getGuard, installCrds, moreReconciles, waitForCondition } from './helpers.ts';

describe('tenancy: one boundary for every consumer', function () {
  this.timeout(120_000);
  const aws = directClient();
  let teamA: string;
  let teamB: string;
  let operator: RunningOperator | undefined;


  before(async function () {
    this.timeout(60_000);
    await installCrds();
    teamA = await createNamespace('ten-a');
    teamB = await createNamespace('ten-b');
    operator = await startOperator({
      config: testConfig(`${teamA},${teamB}`, ['--resync-period=1s', `--aws-namespaces=${teamA}`]),
      kubeConfig: testEnv().kubeConfig,
      defaultRegion: REGION,
      log: testLogger(),
      budgetRefreshMs: 0,
    });
  });

  after(async () => {
    await operator?.stop();
  });

  it('a namespace refused AWS can neither lower, restore, read nor budget another team\'s AWS', async () => {
    const group = `${teamA}-prod`;
    await createGroups(aws, [{ name: group, maxSize: 50 }]);
    const sqs = new SQSClient({ region: REGION });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${teamA}-orders` }))).QueueUrl!;
    sqs.destroy();
    await createGuard(teamA, 'orders', { mode: 'Enforce', onDelete: 'Keep', scalingGroups: [{ name: group, maxSize: 20 }] });
    await eventually('team A\'s ceiling on its group', async () => (await readGroup(aws, group))?.MaxSize === 20);

    const budget = `${teamB}-stolen`;
    await createGuard(teamB, 'sneaky', {
      mode: 'Enforce',
      onDelete: 'Restore',
      scalingGroups: [{ name: group, maxSize: 1 }],
      runaway: { signals: { sqs: { queueUrl } }, action: 'Freeze' },
      cost: { budget: { name: budget, monthlyLimit: '5' } },
    });
    const refused = await waitForCondition(teamB, 'sneaky', { type: 'CeilingsEnforced', status: 'False', reason: 'NotPermitted' });
    assert.match(condition(refused, 'CeilingsEnforced')?.message ?? '', /spec\.scalingGroups, spec\.runaway\.signals\.sqs, spec\.cost\.budget: namespace ten-b-\w+ may not act on AWS \(operator setting aws-namespaces\)/);
    await eventually('RunawayWatched names the refused signal', async () => /Not read, refused by the operator's tenancy policy: .*spec\.runaway\.signals\.sqs/.test(condition(await getGuard(teamB, 'sneaky'), 'RunawayWatched')?.message ?? ''));
    await eventually('CostTracked names the refused budget', async () => condition(await getGuard(teamB, 'sneaky'), 'CostTracked')?.reason === 'NotPermitted');
    await moreReconciles(operator!, 6);

    assert.equal((await readGroup(aws, group))?.MaxSize, 20, 'the refused guard\'s maxSize 1 was never applied as a peer');
    const orders = await getGuard(teamA, 'orders');
    assert.notEqual(condition(orders, 'CeilingsEnforced')?.reason, 'Conflict', 'a refused guard is no one\'s peer');
    assert.equal(await readBudget(budget), undefined, 'no budget created for a namespace refused AWS');

    // Keep: team A's clamp stays, and so that no one gives back what it kept, its record goes.
    // Restore by the refused guard must not raise it either.
    await deleteGuard(teamA, 'orders');
    const kept = await readGroup(aws, group);
    assert.equal(kept?.MaxSize, 20);
    assert.equal(kept?.Tags?.some((t) => t.Key?.startsWith('costguard.io/original-') || t.Key?.startsWith('holder.costguard.io/')), false, 'Keep takes the record and the holder name off');
    await deleteGuard(teamB, 'sneaky');
    assert.equal((await readGroup(aws, group))?.MaxSize, 20, 'a refused guard\'s Restore never touches the group');
  });
});
