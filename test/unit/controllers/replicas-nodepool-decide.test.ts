import assert from 'node:assert/strict';
import { decideWorkload, type ObservedWorkload } from '../../../src/controllers/ceilings/replicas-decide.ts';
import { decideNodePool, quantity, type ObservedNodePool } from '../../../src/controllers/ceilings/nodepool-decide.ts';

const enforce = { nowMs: 0, act: true };

describe('decideWorkload', () => {
  const cases: { name: string; ceiling: number; observed: ObservedWorkload; original?: number; expect?: string; binding: boolean }[] = [
    { name: 'Deployment within its ceiling', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 10 }, binding: false },
    { name: 'Deployment above: clamp spec.replicas', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 45 }, expect: 'spec.replicas 45→30 AboveCeiling', binding: true },
    { name: 'StatefulSet with replicas unset (1) stays', ceiling: 3, observed: { kind: 'StatefulSet', name: 'w', value: undefined }, binding: false },
    { name: 'HPA maxReplicas above: clamp', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 100, replicas: 12 }, expect: 'spec.maxReplicas 100→30 AboveCeiling', binding: false },
    { name: 'HPA at max wanting more is binding', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 30, replicas: 30, wantsMore: true }, binding: true },
    { name: 'HPA below max, not wanting more', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 20, replicas: 5 }, binding: false },
    { name: 'ScaledObject without maxReplicaCount (KEDA default 100) is clamped', ceiling: 30, observed: { kind: 'ScaledObject', name: 'w', value: undefined }, expect: 'spec.maxReplicaCount undefined→30 Unset', binding: false },
    { name: 'raised again after a clamp is drift', ceiling: 30, observed: { kind: 'ScaledObject', name: 'w', value: 90 }, original: 60, expect: 'spec.maxReplicaCount 90→30 Drift', binding: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideWorkload(c.ceiling, c.observed, { originalValue: c.original }, enforce);
      assert.equal(d.change ? `${d.change.field} ${d.change.from}→${d.change.to} ${d.change.reason}` : undefined, c.expect);
      assert.equal(d.binding, c.binding);
    });
  }

  it('records the first original only when acting', () => {
    const observed: ObservedWorkload = { kind: 'HorizontalPodAutoscaler', name: 'w', value: 100 };
    assert.equal(decideWorkload(30, observed, {}, enforce).memory.originalValue, 100);
    assert.equal(decideWorkload(30, observed, {}, { nowMs: 0, act: false }).memory.originalValue, undefined);
    assert.equal(decideWorkload(30, { ...observed, value: 200 }, { originalValue: 100 }, enforce).memory.originalValue, 100);
  });
});

describe('decideNodePool', () => {
  const pool = (limits: ObservedNodePool['limits'], usage: ObservedNodePool['usage'] = {}): ObservedNodePool => ({ name: 'default', limits, usage });

  it('compares quantities, not strings', () => {
    assert.equal(quantity('1600Gi'), 1600 * 2 ** 30);
    assert.equal(quantity('500m'), 0.5);
    const d = decideNodePool({ memory: '1600Gi' }, pool({ memory: '2Ti' }), {}, enforce);
    assert.deepEqual(d.changes, [{ resource: 'memory', from: '2Ti', to: '1600Gi', reason: 'AboveCeiling' }]);
    assert.deepEqual(decideNodePool({ memory: '1600Gi' }, pool({ memory: '1000Gi' }), {}, enforce).changes, []);
  });

  it('sets a limit that is absent (unlimited), and leaves unconstrained resources alone', () => {
    const d = decideNodePool({ cpu: '400' }, pool({ memory: '10Ti' }), {}, enforce);
    assert.deepEqual(d.changes, [{ resource: 'cpu', from: undefined, to: '400', reason: 'Unlimited' }]);
    assert.deepEqual(d.memory.originalLimits, { memory: '10Ti' });
  });

  it('is binding when usage reaches the ceiling', () => {
    assert.equal(decideNodePool({ cpu: '400' }, pool({ cpu: '400' }, { cpu: '400' }), {}, enforce).binding, true);
    assert.equal(decideNodePool({ cpu: '400' }, pool({ cpu: '400' }, { cpu: '120' }), {}, enforce).binding, false);
  });

  it('marks a raise after a clamp as drift and keeps the first originals', () => {
    const d = decideNodePool({ cpu: '400' }, pool({ cpu: '800' }), { originalLimits: { cpu: '1000' } }, enforce);
    assert.equal(d.changes[0]?.reason, 'Drift');
    assert.deepEqual(d.memory.originalLimits, { cpu: '1000' });
  });
});
