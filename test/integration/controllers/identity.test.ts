// Targets are known by what they are: two guards in two namespaces reach one Auto Scaling group
// through two roles (the per-namespace role pattern of docs/operations.md). They used to be
// keyed by role, never saw each other, and MaxSize flipped 10 ↔ 30 on every resync. Known by
// account (sts:GetCallerIdentity under each role), region and name, they are peers: the lower
// ceiling holds across ten resyncs, nothing is rewritten, and each names the other. A group of
// the same name in another account is another group; a role outside the pattern is never assumed.
import assert from 'node:assert/strict';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from '../cloud/fixtures.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { condition, createGuard, createNamespace, eventually, getGuard, installCrds, moreReconciles, waitForCondition } from './helpers.ts';

interface AssumedRole {
  role_arn: string;
  session_name: string;
  account_id: string;
}

/** The roles moto saw assumed, with their session names: what CloudTrail would attribute the calls to. */
async function assumedRoles(): Promise<AssumedRole[]> {
  const data = (await (await fetch(`${testEnv().awsEndpoint}/moto-api/data.json`)).json()) as { sts?: { AssumedRole?: AssumedRole[] } };
  return data.sts?.AssumedRole ?? [];
}

describe('target identity: one group reached through two roles', function () {
  this.timeout(120_000);
  const aws = directClient();
  let teamA: string;
  let teamB: string;
  let operator: RunningOperator | undefined;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    teamA = await createNamespace('ident-a');
    teamB = await createNamespace('ident-b');
    operator = await startOperator({
      config: testConfig(`${teamA},${teamB}`, ['--resync-period=1s', '--role-arn-pattern=arn:aws:iam::*:role/costguard-{namespace}']),
      kubeConfig: testEnv().kubeConfig,
      defaultRegion: REGION,
      log: testLogger(),
    });
  });

  after(async () => {
    await operator?.stop();
  });

  it('the lower ceiling holds across ten resyncs, nothing is rewritten, and each guard names the other', async () => {
    const group = `${teamA}-shared`;
    await createGroups(aws, [{ name: group, maxSize: 50 }]);
    const role = (ns: string): { region: string; roleArn: string } => ({ region: REGION, roleArn: `arn:aws:iam::123456789012:role/costguard-${ns}` });
    await createGuard(teamA, 'low', { mode: 'Enforce', aws: role(teamA), scalingGroups: [{ name: group, maxSize: 10 }] });
    await createGuard(teamB, 'high', { mode: 'Enforce', aws: role(teamB), scalingGroups: [{ name: group, maxSize: 30 }] });
    await eventually('the lower ceiling on the group', async () => (await readGroup(aws, group))?.MaxSize === 10);
    await eventually('the higher guard names the lower one', async () => {
      const c = condition(await getGuard(teamB, 'high'), 'CeilingsEnforced');
      return c?.reason === 'Conflict' && c.message.includes(`${teamA}/low`);
    });
    const settled = (await readGroup(aws, group))?.Tags?.find((t) => t.Key === 'costguard.io/clamped-at')?.Value;
    assert.ok(settled, 'the clamp is recorded on the group');

    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await moreReconciles(operator!, 2);
      seen.add((await readGroup(aws, group))?.MaxSize ?? -1);
    }
    assert.deepEqual([...seen], [10], 'MaxSize never left the lower ceiling');
    const after = await readGroup(aws, group);
    assert.equal(after?.Tags?.find((t) => t.Key === 'costguard.io/clamped-at')?.Value, settled, 'no write after the first: the record is untouched');
    const low = condition(await getGuard(teamA, 'low'), 'CeilingsEnforced');
    assert.equal(low?.reason, 'Conflict');
    assert.match(low?.message ?? '', new RegExp(`${teamB}/high`));
  });

  it('another account\'s group of the same name is another group; a role outside the pattern is never assumed; what is written is attributed', async () => {
    const group = `${teamA}-acct`;
    await createGroups(aws, [{ name: group, maxSize: 50 }]);
    const inA = { region: REGION, roleArn: `arn:aws:iam::123456789012:role/costguard-${teamA}` };
    await createGuard(teamA, 'here', { mode: 'Enforce', aws: inA, scalingGroups: [{ name: group, maxSize: 20 }] });
    // The same name through a role in another account: there is no such group there.
    const inB = { region: REGION, roleArn: `arn:aws:iam::210987654321:role/costguard-${teamB}` };
    await createGuard(teamB, 'there', { mode: 'Enforce', aws: inB, scalingGroups: [{ name: group, maxSize: 5 }] });
    // And a role the pattern forbids, naming the group with maxSize 1.
    const admin = { region: REGION, roleArn: 'arn:aws:iam::123456789012:role/admin' };
    const sqs = new SQSClient({ region: REGION });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${teamA}-jobs` }))).QueueUrl!;
    sqs.destroy();
    await createGuard(teamB, 'forbidden', { mode: 'Enforce', onDelete: 'Restore', aws: admin, scalingGroups: [{ name: group, maxSize: 1 }], runaway: { signals: { sqs: { queueUrl } }, action: 'Freeze' } });

    await eventually('the group at its own account\'s ceiling', async () => (await readGroup(aws, group))?.MaxSize === 20);
    const there = await waitForCondition(teamB, 'there', { type: 'CeilingsEnforced', status: 'False', reason: 'TargetNotFound' });
    assert.match(condition(there, 'CeilingsEnforced')?.message ?? '', /210987654321|not found/);
    const forbidden = await waitForCondition(teamB, 'forbidden', { type: 'CeilingsEnforced', status: 'False', reason: 'NotPermitted' });
    assert.match(condition(forbidden, 'CeilingsEnforced')?.message ?? '', /spec\.aws\.roleArn: arn:aws:iam::123456789012:role\/admin is not allowed for namespace .* \(operator setting role-arn-pattern\); not read or written under it: spec\.scalingGroups, spec\.runaway\.signals\.sqs/);
    await eventually('RunawayWatched names the signal it did not read', async () => /Not read, refused by the operator's tenancy policy: .*role-arn-pattern/.test(condition(await getGuard(teamB, 'forbidden'), 'RunawayWatched')?.message ?? ''));
    await moreReconciles(operator!, 6);
    assert.equal((await readGroup(aws, group))?.MaxSize, 20, 'neither the other account\'s guard nor the forbidden role lowered it');
    assert.notEqual(condition(await getGuard(teamA, 'here'), 'CeilingsEnforced')?.reason, 'Conflict', 'a guard in another account is not a peer');

    const roles = await assumedRoles();
    assert.deepEqual(roles.filter((r) => r.role_arn.endsWith('/admin')), [], 'the forbidden role was never assumed: nothing was read or written under it, its queue included');
    const sessions = (arn: string): string[] => [...new Set(roles.filter((r) => r.role_arn === arn).map((r) => `${r.account_id} ${r.session_name}`))];
    assert.ok(sessions(inA.roleArn).includes(`123456789012 costguard-${teamA}-here`), 'writes to the group are attributed to the guard');
    assert.deepEqual(sessions(inB.roleArn), [`210987654321 costguard-${teamB}-there`]);
  });
});
