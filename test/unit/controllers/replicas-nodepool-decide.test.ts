import assert from 'node:assert/strict';
import type { Cap } from '../../../src/controllers/actuator/caps.ts';
import { decideWorkload, type ObservedWorkload } from '../../../src/controllers/actuator/replicas-decide.ts';
import { decideNodePool, inapplicableCeilings, quantity, type NodePoolCaps, type ObservedNodePool } from '../../../src/controllers/actuator/nodepool-decide.ts';

const enforce = { nowMs: 0, act: true };
const spec = (value: number): Cap => ({ value, by: 'spec' });

describe('decideWorkload', () => {
  const cases: { name: string; ceiling: number; observed: ObservedWorkload; expect?: string; binding: boolean }[] = [
    { name: 'Deployment within its ceiling', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 10 }, binding: false },
    { name: 'Deployment above: clamp spec.replicas', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 45 }, expect: 'spec.replicas 45→30 AboveCeiling', binding: true },
    { name: 'StatefulSet with replicas unset (1) stays', ceiling: 3, observed: { kind: 'StatefulSet', name: 'w', value: undefined }, binding: false },
    { name: 'HPA maxReplicas above: clamp', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 100, replicas: 12 }, expect: 'spec.maxReplicas 100→30 AboveCeiling', binding: false },
    { name: 'HPA at max wanting more is binding', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 30, replicas: 30, wantsMore: true }, binding: true },
    { name: 'HPA below max, not wanting more', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 20, replicas: 5 }, binding: false },
    { name: 'ScaledObject without maxReplicaCount (KEDA default 100) is clamped', ceiling: 30, observed: { kind: 'ScaledObject', name: 'w', value: undefined }, expect: 'spec.maxReplicaCount undefined→30 Unset', binding: false },
    { name: 'raised again after a clamp is drift', ceiling: 30, observed: { kind: 'ScaledObject', name: 'w', value: 90, record: { original: 60, clamped: 30 } }, expect: 'spec.maxReplicaCount 90→30 Drift', binding: false },
    { name: 'a lifted hold raises an HPA max back (Released)', ceiling: 30, observed: { kind: 'HorizontalPodAutoscaler', name: 'w', value: 12, record: { original: 60, clamped: 12 } }, expect: 'spec.maxReplicas 12→30 Released', binding: false },
    { name: 'a lifted hold gives Deployment replicas CostGuard lowered back, up to the ceiling', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 12, record: { original: 45, clamped: 12 } }, expect: 'spec.replicas 12→30 Released', binding: true },
    { name: 'Deployment replicas changed since CostGuard lowered them are left alone', ceiling: 30, observed: { kind: 'Deployment', name: 'w', value: 14, record: { original: 45, clamped: 12 } }, binding: false },
    { name: 'ScaledJob without maxReplicaCount (KEDA default 100) is clamped', ceiling: 15, observed: { kind: 'ScaledJob', name: 'w', value: undefined, replicas: 3 }, expect: 'spec.maxReplicaCount undefined→15 Unset', binding: false },
    { name: 'ScaledJob with as many Jobs running as its ceiling is binding', ceiling: 15, observed: { kind: 'ScaledJob', name: 'w', value: 15, replicas: 15 }, binding: true },
    { name: 'ScaledObject whose HPA runs 20 of 20 is binding', ceiling: 20, observed: { kind: 'ScaledObject', name: 'w', value: 20, replicas: 20 }, binding: true },
    { name: 'KEDA released to an unset original unsets the field', ceiling: 200, observed: { kind: 'ScaledObject', name: 'w', value: 30, record: { original: undefined, clamped: 30 } }, expect: 'spec.maxReplicaCount 30→undefined Released', binding: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideWorkload(spec(c.ceiling), c.observed, enforce);
      assert.equal(d.change ? `${d.change.field} ${d.change.from}→${d.change.to} ${d.change.reason}` : undefined, c.expect);
      assert.equal(d.binding, c.binding);
    });
  }

  it('records the first original only when acting, and keeps it across drift', () => {
    const observed: ObservedWorkload = { kind: 'HorizontalPodAutoscaler', name: 'w', value: 100 };
    assert.deepEqual(decideWorkload(spec(30), observed, enforce).record, { original: 100, clamped: 30 });
    assert.equal(decideWorkload(spec(30), observed, { nowMs: 0, act: false }).record, undefined);
    assert.deepEqual(decideWorkload(spec(30), { ...observed, value: 200, record: { original: 100, clamped: 30 } }, enforce).record, { original: 100, clamped: 30 });
  });
});

describe('decideNodePool', () => {
  const pool = (limits: ObservedNodePool['limits'], usage: ObservedNodePool['usage'] = {}, record?: ObservedNodePool['record']): ObservedNodePool => ({ name: 'default', limits, usage, ...(record ? { record } : {}) });
  const none: NodePoolCaps = { holds: [], peers: [] };
  const brief = (d: ReturnType<typeof decideNodePool>) => d.changes.map((c) => `${c.resource} ${String(c.from)}→${String(c.to)} ${c.reason} by ${c.cap.by}`);

  it('compares quantities, not strings', () => {
    assert.equal(quantity('1600Gi'), 1600 * 2 ** 30);
    assert.equal(quantity('500m'), 0.5);
    assert.deepEqual(brief(decideNodePool({ memory: '1600Gi' }, pool({ memory: '2Ti' }), none, enforce)), ['memory 2Ti→1600Gi AboveCeiling by spec']);
    assert.deepEqual(decideNodePool({ memory: '1600Gi' }, pool({ memory: '1000Gi' }), none, enforce).changes, []);
  });

  it('sets a limit that is absent (unlimited) and records only the limits it changed', () => {
    const d = decideNodePool({ cpu: '400' }, pool({ memory: '10Ti' }), none, enforce);
    assert.deepEqual(brief(d), ['cpu undefined→400 Unset by spec']);
    assert.deepEqual(d.record, { cpu: { original: undefined, clamped: '400' } });
  });

  it('decides only limits.nodes on a static pool (spec.replicas set), and names the ceilings that do not apply', () => {
    const staticPool: ObservedNodePool = { ...pool({ nodes: '10' }), static: true };
    const d = decideNodePool({ cpu: '100', memory: '400Gi', nodes: '4' }, staticPool, { holds: [{ by: 'runaway', limits: { cpu: '50', nodes: '3' } }], peers: [] }, enforce);
    assert.deepEqual(brief(d), ['nodes 10→3 AboveCeiling by runaway']);
    assert.deepEqual(d.record, { nodes: { original: '10', clamped: '3' } });
    assert.deepEqual(inapplicableCeilings({ cpu: '100', memory: '400Gi', nodes: '4' }, staticPool), ['cpu', 'memory']);
    assert.deepEqual(inapplicableCeilings({ cpu: '100' }, pool({})), [], 'a dynamic pool takes every ceiling');
  });

  it('is binding when usage reaches the ceiling', () => {
    assert.equal(decideNodePool({ cpu: '400' }, pool({ cpu: '400' }, { cpu: '400' }), none, enforce).binding, true);
    assert.equal(decideNodePool({ cpu: '400' }, pool({ cpu: '400' }, { cpu: '120' }), none, enforce).binding, false);
  });

  it('marks a raise after a clamp as drift and keeps the first originals', () => {
    const d = decideNodePool({ cpu: '400' }, pool({ cpu: '800' }, {}, { cpu: { original: '1000', clamped: '400' } }), none, enforce);
    assert.equal(d.changes[0]?.reason, 'Drift');
    assert.deepEqual(d.record, { cpu: { original: '1000', clamped: '400' } });
  });

  it('applies the lowest of spec, holds and other guards per limit, and says which binds', () => {
    const caps: NodePoolCaps = { holds: [{ by: 'runaway', why: 'brake', limits: { cpu: '120' } }], peers: [{ guard: 'b/other', limits: { memory: '500Gi' } }] };
    const d = decideNodePool({ cpu: '400', memory: '1600Gi' }, pool({ cpu: '1000', memory: '2Ti' }), caps, enforce);
    assert.deepEqual(brief(d), ['cpu 1000→120 AboveCeiling by runaway', 'memory 2Ti→500Gi AboveCeiling by guard b/other']);
  });

  it('when the hold lifts, goes back up to the spec limit, never above the original', () => {
    const record = { cpu: { original: '1000', clamped: '120' } };
    const d = decideNodePool({ cpu: '400' }, pool({ cpu: '120' }, {}, record), none, enforce);
    assert.deepEqual(brief(d), ['cpu 120→400 Released by spec']);
    assert.deepEqual(d.record, { cpu: { original: '1000', clamped: '400' } });
  });
});

describe('quantity', () => {
  const cases: [string | number, number][] = [
    ['400', 400],
    ['1600Gi', 1600 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['500m', 0.5],
    ['1.5k', 1500],
    ['1e3', 1000],
    ['100M', 1e8],
    [12, 12],
  ];
  for (const [text, value] of cases) it(`${String(text)} = ${value}`, () => assert.equal(quantity(text), value));
  it('is NaN for text that is not a quantity, so it never compares as lower', () => assert.ok(Number.isNaN(quantity('lots'))));
});
