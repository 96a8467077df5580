import assert from 'node:assert/strict';
import { decideRestore, describeRestore, type RestoreInput } from '../../../src/controllers/ceilings/restore-decide.ts';

const base = (over: Partial<RestoreInput>): RestoreInput => ({
  target: 'asg/g',
  field: 'MaxSize',
  exists: true,
  current: 20,
  unsetMeans: Infinity,
  record: { original: 40, clamped: 20 },
  live: false,
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
    { name: 'a live count (Deployment replicas 45 → 30) is never scaled back up', in: base({ field: 'spec.replicas', live: true, current: 30, record: { original: 45, clamped: 30 } }), left: /live count/, record: 'remove' },
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
    const text = describeRestore([decideRestore(base({})), decideRestore(base({ target: 'asg/h', current: 10 })), decideRestore(base({ target: 'Deployment/web', field: 'spec.replicas', live: true, current: 30, record: { original: 45, clamped: 30 } }))]);
    assert.equal(
      text,
      'onDelete Restore: asg/g MaxSize 20 → 40 (the recorded original); left asg/h MaxSize: changed since CostGuard set 20 (now 10): left as it is; ' +
        'left Deployment/web spec.replicas: a live count: CostGuard never scales up by itself (left at 30).',
    );
  });

  it('groups targets with the same change, so 200 groups fit one event', () => {
    const steps = Array.from({ length: 200 }, (_, i) => decideRestore(base({ target: `asg/orders-${i}` })));
    const text = describeRestore(steps);
    assert.match(text, /^onDelete Restore: asg\/orders-0, asg\/orders-1, asg\/orders-2, asg\/orders-3, asg\/orders-4 and 195 more MaxSize 20 → 40 \(the recorded original\)\.$/);
  });
});
