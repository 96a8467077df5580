import assert from 'node:assert/strict';
import { computeReady, deriveReady, getCondition, setCondition, type Condition } from '../../../src/runtime/conditions.ts';

const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
const T1 = T0 + 60_000;
const deps = { positive: ['CeilingsEnforced'], negative: ['Degraded'] };

describe('conditions', () => {
  it('adds a condition with the transition time, observedGeneration and an empty message by default', () => {
    const list = setCondition(undefined, { type: 'CeilingsEnforced', status: 'True', reason: 'AllClamped' }, { now: T0, generation: 3 });
    assert.deepEqual(list, [
      { type: 'CeilingsEnforced', status: 'True', reason: 'AllClamped', message: '', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 3 },
    ]);
  });

  it('keeps lastTransitionTime when the status does not flip, but updates reason, message and generation', () => {
    const first = setCondition([], { type: 'X', status: 'True', reason: 'A', message: 'one' }, { now: T0, generation: 1 });
    const second = setCondition(first, { type: 'X', status: 'True', reason: 'B', message: 'two' }, { now: T1, generation: 2 });
    assert.deepEqual(getCondition(second, 'X'), { type: 'X', status: 'True', reason: 'B', message: 'two', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 2 });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = setCondition([], { type: 'X', status: 'True', reason: 'A' }, { now: T0 });
    const second = setCondition(first, { type: 'X', status: 'False', reason: 'A' }, { now: T1 });
    assert.equal(getCondition(second, 'X')?.lastTransitionTime, '2025-01-01T00:01:00Z');
  });

  it('is pure: the input list is not modified and other conditions keep their place', () => {
    const input: Condition[] = [
      { type: 'A', status: 'True', reason: 'R', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
      { type: 'B', status: 'True', reason: 'R', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ];
    const frozen = JSON.stringify(input);
    const out = setCondition(input, { type: 'A', status: 'False', reason: 'R' }, { now: T0 });
    assert.equal(JSON.stringify(input), frozen);
    assert.deepEqual(
      out.map((c) => c.type),
      ['A', 'B'],
    );
  });

  describe('Ready derivation', () => {
    const cases: Array<{ name: string; conds: Array<[string, 'True' | 'False' | 'Unknown']>; expect: string; reason?: string }> = [
      { name: 'all positive True, no negative', conds: [['CeilingsEnforced', 'True']], expect: 'True', reason: 'Ready' },
      { name: 'negative False is fine', conds: [['CeilingsEnforced', 'True'], ['Degraded', 'False']], expect: 'True' },
      { name: 'a negative-polarity condition True', conds: [['CeilingsEnforced', 'True'], ['Degraded', 'True']], expect: 'False', reason: 'DegradedReason' },
      { name: 'a positive condition False', conds: [['CeilingsEnforced', 'False']], expect: 'False', reason: 'CeilingsEnforcedReason' },
      { name: 'a positive condition missing', conds: [], expect: 'Unknown', reason: 'Reconciling' },
      { name: 'a positive condition Unknown', conds: [['CeilingsEnforced', 'Unknown']], expect: 'Unknown' },
      { name: 'a negative condition Unknown', conds: [['CeilingsEnforced', 'True'], ['Degraded', 'Unknown']], expect: 'Unknown' },
      { name: 'False wins over Unknown', conds: [['CeilingsEnforced', 'Unknown'], ['Degraded', 'True']], expect: 'False' },
      { name: 'informational conditions do not count', conds: [['CeilingsEnforced', 'True'], ['RunawaySuspected', 'True']], expect: 'True' },
    ];
    for (const c of cases) {
      it(`${c.name} → Ready ${c.expect}`, () => {
        let list: Condition[] = [];
        for (const [type, status] of c.conds) list = setCondition(list, { type, status, reason: `${type}Reason`, message: `${type} says so.` }, { now: T0 });
        const ready = computeReady(list, deps);
        assert.equal(ready.status, c.expect);
        if (c.reason) assert.equal(ready.reason, c.reason);
      });
    }

    it('carries the blocking condition into the message', () => {
      const list = setCondition([], { type: 'Degraded', status: 'True', reason: 'AwsThrottled', message: 'AWS throttles DescribeAutoScalingGroups.' }, { now: T0 });
      assert.equal(computeReady(list, deps).message, 'Degraded: AWS throttles DescribeAutoScalingGroups.');
    });

    it('never says "All checks pass" while a condition it names is Unknown: True, PartlyUnknown, with that condition\'s message', () => {
      let list = setCondition([], { type: 'CeilingsEnforced', status: 'True', reason: 'Ok' }, { now: T0 });
      list = setCondition(list, { type: 'RunawaySuspected', status: 'Unknown', reason: 'SignalsFailing', message: 'Cannot tell (failing: prometheus: fetch failed).' }, { now: T0 });
      assert.equal(computeReady(list, deps).message, 'All checks pass.', 'not named: informational only');
      const ready = computeReady(list, { ...deps, unknownNamed: ['RunawaySuspected'] });
      assert.deepEqual([ready.status, ready.reason, ready.message], ['True', 'PartlyUnknown', 'Working, but RunawaySuspected is Unknown: Cannot tell (failing: prometheus: fetch failed).']);
    });

    it('deriveReady sets the root with transition semantics', () => {
      let list = setCondition([], { type: 'CeilingsEnforced', status: 'True', reason: 'Ok' }, { now: T0 });
      list = deriveReady(list, deps, { now: T0, generation: 5 });
      list = deriveReady(list, deps, { now: T1, generation: 6 });
      const ready = getCondition(list, 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.lastTransitionTime, '2025-01-01T00:00:00Z');
      assert.equal(ready?.observedGeneration, 6);
      list = setCondition(list, { type: 'Degraded', status: 'True', reason: 'Broken' }, { now: T1 });
      list = deriveReady(list, deps, { now: T1 });
      assert.equal(getCondition(list, 'Ready')?.lastTransitionTime, '2025-01-01T00:01:00Z');
    });
  });
});
