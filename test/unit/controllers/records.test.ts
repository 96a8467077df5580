import assert from 'node:assert/strict';
import { ASG_KEYS, readFieldRecord, readNodePoolRecord, WORKLOAD_KEYS, writeFieldRecord, writeNodePoolRecord } from '../../../src/controllers/targets/records.ts';

describe('records on targets', () => {
  it('round-trips an integer record with its owner, an unset original included', () => {
    const tags = writeFieldRecord({ original: 40, clamped: 20 }, ASG_KEYS, 'team/orders');
    assert.deepEqual(tags, { 'costguard.io/original-max-size': '40', 'costguard.io/clamped-max-size': '20', 'costguard.io/owner': 'team/orders' });
    assert.deepEqual(readFieldRecord(tags, ASG_KEYS), { original: 40, clamped: 20 });
    const unset = writeFieldRecord({ original: undefined, clamped: 30 }, WORKLOAD_KEYS, 'a/b');
    assert.equal(unset['costguard.io/original-ceiling'], 'unset');
    assert.deepEqual(readFieldRecord(unset, WORKLOAD_KEYS), { original: undefined, clamped: 30 });
  });

  it('treats a half or garbled record as none (never guesses an original)', () => {
    assert.equal(readFieldRecord({ 'costguard.io/original-max-size': '40' }, ASG_KEYS), undefined);
    assert.equal(readFieldRecord({ 'costguard.io/original-max-size': 'forty', 'costguard.io/clamped-max-size': '20' }, ASG_KEYS), undefined);
    assert.equal(readFieldRecord(undefined, ASG_KEYS), undefined);
    assert.equal(readNodePoolRecord({ 'costguard.io/original-limits': '{', 'costguard.io/clamped-limits': '{}' }), undefined);
  });

  it('round-trips a NodePool record, absent originals as null', () => {
    const annotations = writeNodePoolRecord({ cpu: { original: '1000', clamped: '400' }, memory: { original: undefined, clamped: '1600Gi' } }, 'a/b');
    assert.equal(annotations['costguard.io/original-limits'], '{"cpu":"1000","memory":null}');
    assert.deepEqual(readNodePoolRecord(annotations), { cpu: { original: '1000', clamped: '400' }, memory: { original: undefined, clamped: '1600Gi' } });
  });
});
