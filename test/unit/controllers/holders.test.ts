// Records have owners: each guard that holds a target below its original names itself on it
// (holder.costguard.io/<cluster>.<uid> = "<cap> <namespace>/<name>"). A guard releases only
// what no one else holds, a holder it cannot see act binds through the cap it recorded, the
// original comes back only when the last holder leaves, and onDelete Keep stays kept.
import assert from 'node:assert/strict';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';
import { decideHolders, recordedHolderCaps, type Holding, type LocalGuard } from '../../../src/controllers/actuator/holders-decide.ts';
import { planCeilings } from '../../../src/controllers/actuator/plan.ts';
import { planGroupRestore } from '../../../src/controllers/actuator/restore-group.ts';
import { describeRestore } from '../../../src/controllers/actuator/restore-decide.ts';
import { readHolders } from '../../../src/controllers/targets/records.ts';

const T0 = Date.UTC(2026, 11, 7, 12);
const UID_A = '0b1c2d3e-0000-4000-8000-00000000000a';
const UID_B = '0b1c2d3e-0000-4000-8000-00000000000b';
const UID_GONE = '0b1c2d3e-0000-4000-8000-00000000000f';
const key = (cluster: string, uid: string): string => `holder.costguard.io/${cluster}.${uid}`;
const record = { 'costguard.io/original-max-size': '50', 'costguard.io/clamped-max-size': '10', 'costguard.io/owner': 'team-a/low' };

function holding(seen: Record<string, LocalGuard> = {}, uid = UID_A, guard = 'team-a/low'): Holding {
  return { cluster: 'east', uid, guard, local: (u, label) => seen[u] ?? (label.startsWith('team-') ? 'gone' : undefined) };
}

function group(tags: Record<string, string>, maxSize = 10): ScalingGroup {
  return { name: 'g', arn: 'arn:g', minSize: 0, maxSize, desiredCapacity: 2, inService: 2, instanceTypes: [], tags };
}

function plan(g: ScalingGroup, maxSize: number, h: Holding, peers: { guard: string; value: number }[] = []) {
  const observed = { groups: [{ spec: { name: 'g', maxSize }, found: [g] }], workloads: [], nodePools: [], peers: peers.map((p) => ({ ...p, target: 'asg/g' })) };
  return planCeilings(observed, {}, { nowMs: T0, act: true, owner: h.guard, holding: h });
}

describe('record holders', () => {
  it('reads holder keys, with their cap and who wrote them; a malformed key is ignored', () => {
    const holders = readHolders({ [key('east', UID_A)]: '10 team-a/low', [key('west', UID_B)]: 'garbled', 'holder.costguard.io/Bad Key': '3 x/y' });
    assert.deepEqual(holders.map((h) => [h.cluster, h.uid, h.cap, h.guard]), [
      ['east', UID_A, 10, 'team-a/low'],
      ['west', UID_B, undefined, 'garbled'],
    ]);
  });

  it('the first clamp names its guard with its cap, beside the record', () => {
    const p = plan(group({}, 50), 10, holding());
    const action = p.actions[0];
    assert.equal(action?.kind, 'asg');
    if (action?.kind !== 'asg') return;
    assert.deepEqual(action.holders?.set, { [key('east', UID_A)]: '10 team-a/low' });
    assert.equal(action.limits.maxSize, 10);
  });

  it('a guard whose ceiling is above the original holds nothing and takes its name off', () => {
    const d = decideHolders({ holders: readHolders({ [key('east', UID_A)]: '10 team-a/low' }), holding: holding(), record: { original: 50, clamped: 10 }, ownCap: 60, unsetMeans: Infinity, livePeers: [] });
    assert.deepEqual(d, { set: {}, remove: [key('east', UID_A)] });
  });

  it('a holder in another cluster binds through its recorded cap: no raise, and Conflict names it', () => {
    const tags = { ...record, [key('west', UID_B)]: '10 team-b/low' };
    const p = plan(group(tags, 10), 30, holding({}, UID_A, 'team-a/high'));
    assert.deepEqual(p.actions.flatMap((a) => (a.kind === 'asg' ? [a.limits.maxSize] : [])).filter((v) => v !== undefined), [], 'MaxSize is not raised to 30');
    assert.deepEqual(p.recordHolders, [{ guard: 'team-b/low in cluster west', target: 'asg/g' }]);
    assert.match(p.overlaps[0] ?? '', /asg\/g \(also guarded by team-b\/low in cluster west\)/);
  });

  it('without that holder the same guard gives the capacity back up to its own ceiling', () => {
    const p = plan(group(record, 10), 30, holding({}, UID_A, 'team-a/high'));
    const action = p.actions[0];
    assert.equal(action?.kind === 'asg' ? action.limits.maxSize : undefined, 30);
  });

  it('a paused guard of this cluster binds through its record; an acting peer binds through its live cap instead', () => {
    const tags = { ...record, [key('east', UID_B)]: '10 team-b/low' };
    assert.deepEqual(recordedHolderCaps(readHolders(tags), holding({ [UID_B]: 'idle' })), [{ guard: 'team-b/low', value: 10 }]);
    assert.deepEqual(recordedHolderCaps(readHolders(tags), holding({ [UID_B]: 'acting' })), []);
    assert.deepEqual(recordedHolderCaps(readHolders(tags), holding({}, UID_A, 'other-ns/x')).length, 0, 'a gone guard of a watched namespace holds nothing');
  });

  it('a gone guard\'s name, or an acting guard that no longer names the target, is taken off', () => {
    const holders = readHolders({ [key('east', UID_GONE)]: '5 team-x/old', [key('east', UID_B)]: '8 team-b/moved', [key('west', UID_B)]: '9 team-c/far' });
    const d = decideHolders({ holders, holding: holding({ [UID_B]: 'acting' }), record: { original: 50, clamped: 10 }, ownCap: 10, unsetMeans: Infinity, livePeers: [] });
    assert.deepEqual(d.remove.sort(), [key('east', UID_B), key('east', UID_GONE)].sort());
    assert.deepEqual(Object.keys(d.set), [key('east', UID_A)], 'its own name is written; the other cluster\'s stays');
  });

  it('when the record goes, every name goes with it', () => {
    const holders = readHolders({ [key('east', UID_A)]: '10 team-a/low', [key('west', UID_B)]: '9 team-c/far' });
    const d = decideHolders({ holders, holding: holding(), record: undefined, ownCap: 10, unsetMeans: Infinity, livePeers: [] });
    assert.deepEqual(d.remove.length, 2);
  });
});

describe('leaving a group that others hold', () => {
  const mine = { [key('east', UID_A)]: '10 team-a/low' };

  it('Restore with another cluster\'s holder at 30: up to 30 only, the record handed on, only its own name taken off', () => {
    const tags = { ...record, ...mine, [key('west', UID_B)]: '30 team-b/high' };
    const p = planGroupRestore(group(tags), [], holding());
    assert.deepEqual(p.limits, { maxSize: 30 });
    assert.equal(p.tags['costguard.io/owner'], 'team-b/high in cluster west');
    assert.deepEqual(p.cleared, [key('east', UID_A)]);
  });

  it('Restore as the last holder: the original, and the record and every name go', () => {
    const p = planGroupRestore(group({ ...record, ...mine }), [], holding());
    assert.deepEqual(p.limits, { maxSize: 50 });
    assert.ok(p.cleared.includes('costguard.io/original-max-size') && p.cleared.includes(key('east', UID_A)));
  });

  it('Keep as the last holder: the value stays and the record goes, so no later guard gives back the original', () => {
    const p = planGroupRestore(group({ ...record, ...mine }), [], holding(), { policy: 'Keep', ownCap: 10 });
    assert.deepEqual(p.limits, {});
    assert.ok(p.cleared.includes('costguard.io/original-max-size'));
    assert.match(describeRestore(p.steps, 'Keep'), /^onDelete Keep: left asg\/g MaxSize: kept at 10 \(onDelete Keep\); nothing of CostGuard's is left to give back\.$/);
  });

  it('Keep while a peer still holds (a brake at 4): the record stays for it, with what this guard kept as the original', () => {
    const tags = { ...record, 'costguard.io/clamped-max-size': '4', ...mine };
    const p = planGroupRestore(group(tags, 4), [{ guard: 'team-b/braked', value: 4 }], holding(), { policy: 'Keep', ownCap: 10 });
    assert.deepEqual(p.limits, {});
    assert.equal(p.tags['costguard.io/original-max-size'], '10', 'the peer gives back up to 10, not 50');
    assert.deepEqual(p.cleared, [key('east', UID_A)]);
  });
});
