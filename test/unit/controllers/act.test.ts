// The original is on the group before the value changes: CreateOrUpdateTags first, then
// UpdateAutoScalingGroup; a failed update leaves the record (so restore still finds it).
import assert from 'node:assert/strict';
import type { ScalingGroup, ScalingGroups, ScalingLimits } from '../../../src/cloud/scaling-groups.ts';
import { applyActions, type ActDeps } from '../../../src/controllers/actuator/act.ts';
import type { GroupSnapshots } from '../../../src/controllers/targets/group-snapshots.ts';
import type { GroupAction } from '../../../src/controllers/actuator/plan-groups.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';
import { CloudError } from '../../../src/cloud/errors.ts';
import { applyPlan } from '../../../src/controllers/actuator/apply.ts';
import type { Refusal } from '../../../src/controllers/actuator/refusals.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';

class ScriptedGroups implements ScalingGroups {
  calls: string[] = [];
  failUpdate: Error | undefined;
  describe(): Promise<ScalingGroup[]> {
    return Promise.resolve([]);
  }
  findByTags(): Promise<ScalingGroup[]> {
    return Promise.resolve([]);
  }
  setLimits(name: string, limits: ScalingLimits): Promise<void> {
    this.calls.push(`update ${name} ${JSON.stringify(limits)}`);
    return this.failUpdate ? Promise.reject(this.failUpdate) : Promise.resolve();
  }
  setTags(name: string, tags: Readonly<Record<string, string>>): Promise<void> {
    this.calls.push(`tag ${name} ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',')}`);
    return Promise.resolve();
  }
  deleteTags(name: string, keys: readonly string[]): Promise<void> {
    this.calls.push(`untag ${name} ${keys.join(',')}`);
    return Promise.resolve();
  }
}

describe('applyActions (groups)', () => {
  let groups: ScriptedGroups;
  let deps: ActDeps;
  const who = { namespace: 'team', owner: 'team/orders' };
  const target = { region: 'us-east-1' };
  const clamp: GroupAction = { kind: 'asg', target: 'asg/g', name: 'g', limits: { maxSize: 20 }, changes: [{ field: 'MaxSize', from: 50, to: 20, reason: 'AboveCeiling' }], record: { original: 50, clamped: 20 }, clearRecord: false };

  beforeEach(() => {
    groups = new ScriptedGroups();
    const snapshots = { fresh: () => Promise.resolve([]) } as unknown as GroupSnapshots;
    deps = { rest: {} as RestClient, snapshots, scalingGroups: () => groups };
  });

  it('tags the original and owner before UpdateAutoScalingGroup, and sends MaxSize alone', async () => {
    assert.deepEqual(await applyActions(deps, target, who, [clamp]), []);
    assert.deepEqual(groups.calls, ['tag g costguard.io/original-max-size=50,costguard.io/clamped-max-size=20,costguard.io/owner=team/orders', 'update g {"maxSize":20}']);
  });

  it('a failed update leaves the record in place and is reported', async () => {
    groups.failUpdate = new Error('boom');
    const failures = await applyActions(deps, target, who, [clamp]);
    assert.equal(failures.length, 1);
    assert.deepEqual(groups.calls.map((c) => c.split(' ')[0]), ['tag', 'update']);
  });

  it('a release back to the original writes first, then removes the record', async () => {
    const release: GroupAction = { kind: 'asg', target: 'asg/g', name: 'g', limits: { maxSize: 50 }, changes: [{ field: 'MaxSize', from: 20, to: 50, reason: 'Released' }], clearRecord: true };
    await applyActions(deps, target, who, [release]);
    assert.deepEqual(groups.calls, ['update g {"maxSize":50}', 'untag g costguard.io/original-max-size,costguard.io/clamped-max-size,costguard.io/clamped-at,costguard.io/owner']);
  });

  it('tags the time of the MaxSize write beside the record', async () => {
    await applyActions(deps, target, who, [{ ...clamp, clampedAt: '2026-11-27T01:18:52Z' }]);
    assert.deepEqual(groups.calls, [
      'tag g costguard.io/original-max-size=50,costguard.io/clamped-max-size=20,costguard.io/owner=team/orders,costguard.io/clamped-at=2026-11-27T01:18:52Z',
      'update g {"maxSize":20}',
    ]);
  });
});

describe('applyPlan: a write refused as invalid', () => {
  const group: ScalingGroup = { name: 'g', arn: 'arn:g', minSize: 0, maxSize: 50, desiredCapacity: 2, inService: 2, instanceTypes: [], tags: {} };
  const observed: ObservedCeilings = { groups: [{ spec: { name: 'g', maxSize: 20 }, found: [group] }], workloads: [], nodePools: [] };
  const refusedByAws = new CloudError({ kind: 'Invalid', service: 'autoscaling', operation: 'UpdateAutoScalingGroup', code: 'ValidationError', detail: 'Max bound, 20, must be greater than or equal to min bound, 30' });

  it('is sent once, then withheld (not sent) while nothing changed, and sent again when the guard changes', async () => {
    const groups = new ScriptedGroups();
    groups.failUpdate = refusedByAws;
    const snapshots = { fresh: () => Promise.resolve([group]) } as unknown as GroupSnapshots;
    const deps: ActDeps = { rest: {} as RestClient, snapshots, scalingGroups: () => groups };
    const at = (nowMs: number, refused: ReadonlyMap<string, Refusal>, generation = 1) => ({
      observed, prior: {}, ctx: { nowMs, act: true, owner: 'team/orders' }, target: { region: 'us-east-1' }, who: { namespace: 'team', owner: 'team/orders' }, refusals: { refused, generation },
    });
    const first = await applyPlan(deps, at(0, new Map()));
    assert.deepEqual(first.failures.map((f) => [f.action.target, f.withheld ?? false]), [['asg/g', false]]);
    assert.equal(groups.calls.filter((c) => c.startsWith('update')).length, 1);
    assert.match(first.plan.status.scalingGroups?.[0]?.lastAction?.message ?? '', /refused as invalid: .*ValidationError.*sent again when the guard or the target changes/);

    const second = await applyPlan(deps, at(30_000, first.refused));
    assert.deepEqual(second.failures.map((f) => [f.action.target, f.withheld ?? false]), [['asg/g', true]], 'reported, still failed');
    assert.equal(groups.calls.filter((c) => c.startsWith('update')).length, 1, 'not sent again');

    await applyPlan(deps, at(60_000, second.refused, 2));
    assert.equal(groups.calls.filter((c) => c.startsWith('update')).length, 2, 'the guard changed: sent again');
  });
});
