import assert from 'node:assert/strict';
import { decideRestore, describeRestore, type RestoreInput } from '../../../src/controllers/actuator/restore-decide.ts';
import { planGroupRestore } from '../../../src/controllers/actuator/restore-group.ts';
import type { ScalingGroup } from '../../../src/cloud/scaling-groups.ts';

const base = (over: Partial<RestoreInput>): RestoreInput => ({
  target: 'asg/g',
  field: 'MaxSize',
  exists: true,
  current: 20,
  unsetMeans: Infinity,
  record: { original: 40, clamped: 20 },
  peers: [],
  ...over,
});

describe('decideRestore', () => {
  const cases: { name: string; in: RestoreInput; write?: string; left?: RegExp; record: string }[] = [
    { name: 'still CostGuard\'s value: back to the original, record removed', in: base({}), write: '20→40', record: 'remove' },
    { name: 'lowered by hand since (40 → 20 → 10): left at 10', in: base({ current: 10 }), left: /changed since CostGuard set 20 \(now 10\)/, record: 'remove' },
    { name: 'raised by hand since: left, never lowered by restore', in: base({ current: 35 }), left: /changed since/, record: 'remove' },
    { name: 'no record on the target: nothing to restore', in: base({ record: undefined }), left: /no record/, record: 'keep' },
    { name: 'target gone', in: base({ exists: false }), left: /no longer exists/, record: 'keep' },
    { name: 'a live count CostGuard lowered (Deployment replicas 45 → 30) is given back', in: base({ field: 'spec.replicas', current: 30, record: { original: 45, clamped: 30 } }), write: '30→45', record: 'remove' },
    { name: 'a live count changed since (30 → 33 by someone else) is left', in: base({ field: 'spec.replicas', current: 33, record: { original: 45, clamped: 30 } }), left: /changed since CostGuard set 30 \(now 33\)/, record: 'remove' },
    { name: 'another guard lower: stays, the record passes to it', in: base({ peers: [{ guard: 'b/other', value: 15 }], current: 15, record: { original: 40, clamped: 15 } }), left: /guard b\/other holds it at 15/, record: 'set 40:15 b/other' },
    { name: 'another guard between: up to its ceiling only', in: base({ current: 10, record: { original: 40, clamped: 10 }, peers: [{ guard: 'b/other', value: 25 }] }), write: '10→25', record: 'set 40:25 b/other' },
    { name: 'another guard above the original: back to the original', in: base({ peers: [{ guard: 'b/other', value: 60 }] }), write: '20→40', record: 'remove' },
    { name: 'an unset original (KEDA) is unset again', in: base({ field: 'spec.maxReplicaCount', current: 30, unsetMeans: 100, record: { original: undefined, clamped: 30 } }), write: '30→undefined', record: 'remove' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const step = decideRestore(c.in);
      assert.equal(step.write ? `${String(step.write.from)}→${String(step.write.to)}` : undefined, c.write);
      if (c.left) assert.match(step.left ?? '', c.left);
      else assert.equal(step.left, undefined);
      const r = step.record;
      assert.equal(r.kind === 'set' ? `set ${String(r.record.original)}:${r.record.clamped} ${r.owner}` : r.kind, c.record);
    });
  }

  it('never lowers anything and never writes above the original', () => {
    for (let current = 0; current <= 10; current++) {
      for (const peer of [undefined, 3, 7, 12]) {
        const step = decideRestore(base({ current, record: { original: 8, clamped: current }, peers: peer === undefined ? [] : [{ guard: 'b/x', value: peer }] }));
        if (!step.write) continue;
        assert.ok(step.write.to! > current && step.write.to! <= 8 && step.write.to! <= (peer ?? Infinity), JSON.stringify(step));
      }
    }
  });

  it('the event names each value written and each left alone, and why', () => {
    const text = describeRestore([decideRestore(base({})), decideRestore(base({ target: 'asg/h', current: 10 })), decideRestore(base({ target: 'Deployment/web', field: 'spec.replicas', current: 30, record: { original: 45, clamped: 30 } }))]);
    assert.equal(
      text,
      'onDelete Restore: asg/g MaxSize 20 → 40 (the recorded original); left asg/h MaxSize: changed since CostGuard set 20 (now 10): left as it is; ' +
        'Deployment/web spec.replicas 30 → 45 (the recorded original).',
    );
  });

  it('groups targets with the same change, so 200 groups fit one event', () => {
    const steps = Array.from({ length: 200 }, (_, i) => decideRestore(base({ target: `asg/orders-${i}` })));
    const text = describeRestore(steps);
    assert.match(text, /^onDelete Restore: asg\/orders-0, asg\/orders-1, asg\/orders-2, asg\/orders-3, asg\/orders-4 and 195 more MaxSize 20 → 40 \(the recorded original\)\.$/);
  });
});

describe('planGroupRestore', () => {
  const group = (tags: Record<string, string>, over: Partial<ScalingGroup> = {}): ScalingGroup => ({ name: 'g', arn: 'arn:g', minSize: 2, maxSize: 2, desiredCapacity: 2, inService: 2, instanceTypes: [], tags, ...over });
  const maxRecord = { 'costguard.io/original-max-size': '20', 'costguard.io/clamped-max-size': '2', 'costguard.io/owner': 'team/g' };
  const minRecord = { 'costguard.io/original-min-size': '6', 'costguard.io/clamped-min-size': '2' };

  it('restores MaxSize and the MinSize lowered with it, then clears both records', () => {
    const plan = planGroupRestore(group({ ...maxRecord, ...minRecord }), []);
    assert.deepEqual(plan.limits, { maxSize: 20, minSize: 6 });
    assert.deepEqual(plan.tags, {});
    assert.ok(plan.cleared.includes('costguard.io/original-max-size') && plan.cleared.includes('costguard.io/original-min-size'));
    assert.equal(describeRestore(plan.steps), 'onDelete Restore: asg/g MaxSize 2 → 20 (the recorded original); asg/g MinSize 2 → 6 (the recorded original).');
  });

  it('with another guard holding the group at 4: MaxSize and MinSize up to 4, both records passed on', () => {
    const plan = planGroupRestore(group({ ...maxRecord, ...minRecord }), [{ guard: 'b/other', value: 4 }]);
    assert.deepEqual(plan.limits, { maxSize: 4, minSize: 4 });
    assert.equal(plan.tags['costguard.io/clamped-min-size'], '4');
    assert.equal(plan.tags['costguard.io/owner'], 'b/other');
    assert.deepEqual(plan.cleared, []);
  });

  it('a MinSize changed by hand since is left, and its record goes', () => {
    const plan = planGroupRestore(group({ ...maxRecord, ...minRecord }, { minSize: 1 }), []);
    assert.deepEqual(plan.limits, { maxSize: 20 });
    assert.ok(plan.cleared.includes('costguard.io/original-min-size'));
  });
});
