import assert from 'node:assert/strict';
import type { ScalingGroup, ScalingGroups } from '../../../src/cloud/scaling-groups.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { matchesSelector } from '../../../src/cloud/scaling-groups.ts';
import { GroupSnapshots } from '../../../src/controllers/targets/group-snapshots.ts';
import { observeCeilings } from '../../../src/controllers/targets/observe.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import { snapshotMaxAgeMs } from '../../../src/cli/operator.ts';

function group(name: string, maxSize = 10, tags: Record<string, string> = {}): ScalingGroup {
  return { name, arn: `arn:${name}`, minSize: 0, maxSize, desiredCapacity: 1, inService: 1, instanceTypes: [], tags };
}

/** Records describe calls; answers from a mutable table. */
class RecordingGroups implements ScalingGroups {
  calls: string[][] = [];
  tagCalls: Record<string, string>[] = [];
  table = new Map<string, ScalingGroup>();
  describe(names: readonly string[]): Promise<ScalingGroup[]> {
    this.calls.push([...names]);
    return Promise.resolve(names.flatMap((n) => (this.table.has(n) ? [this.table.get(n)!] : [])));
  }
  findByTags(selector: Readonly<Record<string, string>>): Promise<ScalingGroup[]> {
    this.tagCalls.push({ ...selector });
    return Promise.resolve([...this.table.values()].filter((g) => matchesSelector(g.tags, selector)));
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

  it('with the operator\'s age (half the resync period), a raise made just after one resync burst is seen at the next', async () => {
    const resync = 30_000;
    const shared = new GroupSnapshots({ clock, maxAgeMs: snapshotMaxAgeMs(resync), scalingGroups: () => aws, namesFor: () => all });
    await clock.advance(5);
    await shared.describe(target, ['a']);
    aws.table.set('a', group('a', 50));
    // The next burst comes one resync after the previous one began: a hair under the period since the describe.
    await clock.advance(resync - 10);
    assert.equal((await shared.describe(target, ['a']))[0]?.maxSize, 50);
    assert.equal(aws.calls.length, 2);
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

describe('GroupSnapshots: tag selectors', () => {
  const target = { region: 'us-east-1' };
  const teams = ['t0', 't1', 't2', 't3'];
  let aws: RecordingGroups;
  let clock: FakeClock;
  let selectors: Record<string, string>[];
  let snapshots: GroupSnapshots;

  beforeEach(() => {
    aws = new RecordingGroups();
    for (let i = 0; i < 40; i++) aws.table.set(`g${i}`, group(`g${i}`, 10, { team: teams[i % 4]!, env: 'prod' }));
    clock = new FakeClock();
    selectors = teams.map((team) => ({ team, env: 'prod' }));
    snapshots = new GroupSnapshots({ clock, maxAgeMs: 30_000, scalingGroups: () => aws, namesFor: () => [], selectorsFor: () => selectors });
  });

  const guard = (i: number): CostGuard =>
    ({ metadata: { name: `g${i}`, namespace: 'ns' }, spec: { mode: 'Enforce', scalingGroups: [{ tagSelector: { env: 'prod', team: teams[i % 4]! }, maxSize: 5 }] } }) as unknown as CostGuard;

  it('200 tag-selected guards observed in one cycle cost one findByTags per distinct selector, not one per guard', async () => {
    const deps = { rest: {} as RestClient, snapshots, scalingGroups: () => aws };
    // Reconciles run four at a time, as with --max-concurrent-reconciles=4.
    for (let i = 0; i < 200; i += 4) {
      const batch = await Promise.all([0, 1, 2, 3].map((k) => observeCeilings(deps, guard(i + k), target)));
      for (const observed of batch) assert.equal(observed.groups[0]?.found.length, 10);
    }
    assert.equal(aws.tagCalls.length, 4, 'four distinct selectors');
    assert.equal(aws.calls.length, 0, 'no Describe by name either');
    await clock.advance(30_000);
    await observeCeilings(deps, guard(0), target);
    assert.equal(aws.tagCalls.length, 8, 'the next cycle refreshes every selector once');
  });

  it('treats a selector with its keys in another order as the same selector', async () => {
    const a = await snapshots.select(target, { team: 't1', env: 'prod' });
    const b = await snapshots.select(target, { env: 'prod', team: 't1' });
    assert.deepEqual(b, a);
    assert.equal(aws.tagCalls.length, 4);
  });

  it('refreshes for a selector no guard named when the snapshot was taken', async () => {
    await snapshots.select(target, { team: 't0', env: 'prod' });
    aws.table.set('new', group('new', 10, { team: 'new' }));
    const found = await snapshots.select(target, { team: 'new' });
    assert.deepEqual(found.map((g) => g.name), ['new']);
    assert.equal(aws.tagCalls.length, 9, 'the four shared selectors plus the new one, once');
  });

  it('fresh() (the live read before a write) updates the tag-selected copy too', async () => {
    await snapshots.select(target, { team: 't0', env: 'prod' });
    aws.table.set('g0', group('g0', 3, { team: 't0', env: 'prod' }));
    await snapshots.fresh(target, ['g0']);
    const after = await snapshots.select(target, { team: 't0', env: 'prod' });
    assert.equal(after.find((g) => g.name === 'g0')?.maxSize, 3);
    assert.equal(aws.tagCalls.length, 4);
  });

  it("another guard's malformed selector does not fail this guard's refresh", async () => {
    selectors.push({ '': 'x' });
    assert.equal((await snapshots.select(target, { team: 't2', env: 'prod' })).length, 10);
    await assert.rejects(snapshots.select(target, {}), TypeError);
  });
});
