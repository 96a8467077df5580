import assert from 'node:assert/strict';
import type { ScalingGroup, ScalingGroups } from '../../../src/cloud/scaling-groups.ts';
import { GroupSnapshots } from '../../../src/controllers/ceilings/group-snapshots.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';

function group(name: string, maxSize = 10): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize, desiredCapacity: 1, inService: 1, instanceTypes: [], tags: {} };
}

/** Records describe calls; answers from a mutable table. */
class RecordingGroups implements ScalingGroups {
  calls: string[][] = [];
  table = new Map<string, ScalingGroup>();
  describe(names: readonly string[]): Promise<ScalingGroup[]> {
    this.calls.push([...names]);
    return Promise.resolve(names.flatMap((n) => (this.table.has(n) ? [this.table.get(n)!] : [])));
  }
  findByTags(): Promise<ScalingGroup[]> {
    return Promise.resolve([]);
  }
  setLimits(): Promise<void> {
    return Promise.resolve();
  }
  setTags(): Promise<void> {
    return Promise.resolve();
  }
  deleteTags(): Promise<void> {
    return Promise.resolve();
  }
}

describe('GroupSnapshots', () => {
  const target = { region: 'us-east-1' };
  const all = ['a', 'b', 'c', 'd'];
  let aws: RecordingGroups;
  let clock: FakeClock;
  let snapshots: GroupSnapshots;

  beforeEach(() => {
    aws = new RecordingGroups();
    for (const n of all) aws.table.set(n, group(n));
    clock = new FakeClock();
    snapshots = new GroupSnapshots({ clock, maxAgeMs: 30_000, scalingGroups: () => aws, namesFor: () => all });
  });

  it('describes every named group once per cycle, however many guards ask', async () => {
    await snapshots.describe(target, ['a']);
    await snapshots.describe(target, ['b', 'c']);
    await Promise.all([snapshots.describe(target, ['d']), snapshots.describe(target, ['a', 'd'])]);
    assert.equal(aws.calls.length, 1);
    assert.deepEqual([...aws.calls[0]!].sort(), all);
  });

  it('shares one refresh between concurrent callers', async () => {
    const results = await Promise.all([snapshots.describe(target, ['a']), snapshots.describe(target, ['b'])]);
    assert.equal(aws.calls.length, 1);
    assert.deepEqual(results.map((r) => r.map((g) => g.name)), [['a'], ['b']]);
  });

  it('refreshes once the snapshot is older than maxAge', async () => {
    await snapshots.describe(target, ['a']);
    await clock.advance(29_999);
    await snapshots.describe(target, ['a']);
    assert.equal(aws.calls.length, 1);
    await clock.advance(1);
    aws.table.set('a', group('a', 99));
    const [a] = await snapshots.describe(target, ['a']);
    assert.equal(aws.calls.length, 2);
    assert.equal(a?.maxSize, 99);
  });

  it('refreshes when a guard names a group the snapshot never saw', async () => {
    await snapshots.describe(target, ['a']);
    aws.table.set('new', group('new'));
    const found = await snapshots.describe(target, ['new']);
    assert.equal(aws.calls.length, 2);
    assert.deepEqual(found.map((g) => g.name), ['new']);
  });

  it('leaves missing groups out instead of failing', async () => {
    assert.deepEqual(await snapshots.describe(target, ['missing']), []);
  });

  it('fresh() bypasses the snapshot and updates it', async () => {
    await snapshots.describe(target, ['a']);
    aws.table.set('a', group('a', 5));
    const [live] = await snapshots.fresh(target, ['a']);
    assert.equal(live?.maxSize, 5);
    const [cached] = await snapshots.describe(target, ['a']);
    assert.equal(cached?.maxSize, 5);
    assert.equal(aws.calls.length, 2);
  });

  it('keeps targets apart', async () => {
    await snapshots.describe(target, ['a']);
    await snapshots.describe({ region: 'eu-west-1' }, ['a']);
    assert.equal(aws.calls.length, 2);
  });
});
