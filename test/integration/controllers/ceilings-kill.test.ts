// kill -9 of the operator while it clamps many tag-selected groups: the only record of each
// original that is sure to exist is the one written on the group before its MaxSize changed.
// A restarted operator, asked to delete the guard with onDelete Restore, puts every group back.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath } from '../../../src/runtime/kube/resource.ts';
import { createGroups, directClient } from '../cloud/fixtures.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, rest } from './helpers.ts';
import { operatorProcess } from './operator-process.ts';

const GROUPS = 150;
/** Kill once this many groups are clamped: well into the clamp, well before its end. */
const KILL_AFTER = 15;
const ORIGINAL = 'costguard.io/original-max-size';

describe('ceilings: kill -9 mid-clamp', function () {
  this.timeout(90_000);
  const aws = directClient();
  let ns: string;
  let team: string;
  let child: ChildProcess | undefined;

  /** Every group of the team as moto holds it, all pages. */
  const groups = async (): Promise<AutoScalingGroup[]> => {
    const all: AutoScalingGroup[] = [];
    let NextToken: string | undefined;
    do {
      const out = await aws.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: [team] }], MaxRecords: 100, NextToken }));
      all.push(...(out.AutoScalingGroups ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
    return all;
  };
  const original = (g: AutoScalingGroup): string | undefined => g.Tags?.find((t) => t.Key === ORIGINAL)?.Value;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-kill');
    team = `t-${ns}`;
    await createGroups(aws, Array.from({ length: GROUPS }, (_, i) => ({ name: `${ns}-g${i}`, maxSize: 50, tags: { team } })));
  });

  after(() => {
    child?.kill('SIGKILL');
  });

  it('restores every group to its original after a kill -9 mid-clamp and a restart', async () => {
    assert.equal((await groups()).length, GROUPS);
    child = await operatorProcess(ns);
    await createGuard(ns, 'kill', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ tagSelector: { team }, maxSize: 20 }] });
    await eventually(`${KILL_AFTER} groups clamped`, async () => (await groups()).filter((g) => g.MaxSize === 20).length >= KILL_AFTER, 30_000, 0);
    child.kill('SIGKILL');
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');

    const atKill = await groups();
    const clamped = atKill.filter((g) => g.MaxSize === 20);
    assert.ok(clamped.length >= KILL_AFTER);
    assert.ok(clamped.length < GROUPS, `killed mid-clamp: ${clamped.length} of ${GROUPS} clamped`);
    assert.deepEqual(clamped.filter((g) => original(g) !== '50').map((g) => g.AutoScalingGroupName), [], 'every clamped group carries its original');
    const inStatus = ((await getGuard(ns, 'kill')).status?.scalingGroups ?? []).filter((s) => s.originalMaxSize !== undefined).length;
    assert.ok(inStatus < clamped.length, `status alone would lose originals: ${inStatus} in status, ${clamped.length} groups clamped`);

    child = await operatorProcess(ns);
    await rest().delete(objectPath(COSTGUARD_RESOURCE, ns, 'kill'));
    await eventually('the guard is gone', async () => getGuard(ns, 'kill').then(() => false, () => true), 60_000, 200);
    const after = await groups();
    assert.deepEqual(after.filter((g) => g.MaxSize !== 50).map((g) => `${g.AutoScalingGroupName}=${g.MaxSize}`), [], 'every group is back at 50');
    assert.deepEqual(after.filter((g) => original(g) !== undefined).map((g) => g.AutoScalingGroupName), [], 'the records are removed after restoring');
  });
});
