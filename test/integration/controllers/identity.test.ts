// Targets are known by what they are: two guards in two namespaces reach one Auto Scaling group
// through two roles (the per-namespace role pattern of docs/operations.md). They used to be
// keyed by role, never saw each other, and MaxSize flipped 10 ↔ 30 on every resync. Known by
// account (sts:GetCallerIdentity under each role), region and name, they are peers: the lower
// ceiling holds across ten resyncs, nothing is rewritten, and each names the other.
import assert from 'node:assert/strict';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from '../cloud/fixtures.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { condition, createGuard, createNamespace, eventually, getGuard, installCrds, moreReconciles } from './helpers.ts';

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
      config: testConfig(`${teamA},${teamB}`, ['--resync-period=1s', '--role-arn-pattern=arn:aws:iam::123456789012:role/costguard-{namespace}']),
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
});
