// Records have owners, against the real API server and moto. Two clusters (two operators with
// their own --cluster-id, each watching its own namespace) guard one Auto Scaling group: each
// names itself on the group, neither raises what the other holds, and the original comes back
// only when the last holder leaves. onDelete Keep stays kept when another guard names the group.
import assert from 'node:assert/strict';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup, REGION } from '../cloud/fixtures.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';
import { condition, createGuard, createNamespace, deleteGuard, eventually, getGuard, installCrds, moreReconciles } from './helpers.ts';

const tagsOf = async (aws: ReturnType<typeof directClient>, name: string): Promise<Record<string, string>> =>
  Object.fromEntries(((await readGroup(aws, name))?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

describe('record holders: two clusters on one group, and Keep that stays kept', function () {
  this.timeout(150_000);
  const aws = directClient();
  let east: RunningOperator | undefined;
  let west: RunningOperator | undefined;
  let nsEast: string;
  let nsWest: string;

  const operatorFor = (namespace: string, clusterId: string): Promise<RunningOperator> =>
    startOperator({ config: testConfig(namespace, ['--resync-period=1s', `--cluster-id=${clusterId}`]), kubeConfig: testEnv().kubeConfig, defaultRegion: REGION, log: testLogger() });


  before(async function () {
    this.timeout(60_000);
    await installCrds();
    nsEast = await createNamespace('hold-east');
    nsWest = await createNamespace('hold-west');
    east = await operatorFor(nsEast, 'east');
    west = await operatorFor(nsWest, 'west');
  });

  after(async () => {
    await east?.stop();
    await west?.stop();
  });

  it('each cluster names its guard on the group; the lower holds; the original returns only after the last holder leaves', async () => {
    const group = `${nsEast}-shared`;
    await createGroups(aws, [{ name: group, maxSize: 50 }]);
    const low = await createGuard(nsEast, 'low', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: group, maxSize: 10 }] });
    await eventually('the lower ceiling', async () => (await readGroup(aws, group))?.MaxSize === 10);
    const high = await createGuard(nsWest, 'high', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: group, maxSize: 30 }] });
    const eastKey = `holder.costguard.io/east.${low.metadata.uid}`;
    const westKey = `holder.costguard.io/west.${high.metadata.uid}`;
    await eventually('both clusters name their guards', async () => {
      const tags = await tagsOf(aws, group);
      return tags[eastKey] === `10 ${nsEast}/low` && tags[westKey] === `30 ${nsWest}/high`;
    });
    await eventually('the higher guard names the holder it cannot see', async () => {
      const c = condition(await getGuard(nsWest, 'high'), 'CeilingsEnforced');
      return c?.reason === 'Conflict' && c.message.includes(`${nsEast}/low in cluster east`);
    });
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await moreReconciles(west!, 1);
      seen.add((await readGroup(aws, group))?.MaxSize ?? -1);
    }
    assert.deepEqual([...seen], [10], 'the other cluster never raised what this one holds');

    await deleteGuard(nsEast, 'low');
    const handed = await tagsOf(aws, group);
    assert.equal((await readGroup(aws, group))?.MaxSize, 30, 'given back only up to the remaining holder');
    assert.equal(handed[eastKey], undefined, 'the leaving guard took its own name off');
    assert.equal(handed[westKey], `30 ${nsWest}/high`, 'and left the other cluster\'s');
    assert.equal(handed['costguard.io/original-max-size'], '50', 'the original stays recorded for the last holder');

    await deleteGuard(nsWest, 'high');
    const back = await readGroup(aws, group);
    assert.equal(back?.MaxSize, 50, 'the last holder gives back the original');
    assert.deepEqual(Object.keys(await tagsOf(aws, group)).filter((k) => k.includes('costguard.io')), [], 'no record, no holder left');
  });

  it('onDelete Keep: the value stays after the guard has gone, even when another guard names the group', async () => {
    const group = `${nsEast}-kept`;
    await createGroups(aws, [{ name: group, maxSize: 50 }]);
    await createGuard(nsEast, 'keeper', { mode: 'Enforce', onDelete: 'Keep', scalingGroups: [{ name: group, maxSize: 20 }] });
    await eventually('the ceiling', async () => (await readGroup(aws, group))?.MaxSize === 20);
    await deleteGuard(nsEast, 'keeper');
    assert.equal((await readGroup(aws, group))?.MaxSize, 20);
    await createGuard(nsEast, 'newcomer', { mode: 'Enforce', scalingGroups: [{ name: group, maxSize: 40 }] });
    await eventually('the newcomer is reconciled', async () => condition(await getGuard(nsEast, 'newcomer'), 'CeilingsEnforced') !== undefined);
    await moreReconciles(east!, 4);
    assert.equal((await readGroup(aws, group))?.MaxSize, 20, 'what the first guard kept is not given back by the next');
  });
});
