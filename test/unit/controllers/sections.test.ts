// The sections controller writes only when a section condition changes, and only after the
// ceilings controller has reported the guard's generation.
import assert from 'node:assert/strict';
import type { CostGuard, CostGuardSpec, CostGuardStatus } from '../../../src/api/v1alpha1/index.ts';
import { SectionsReconciler, WAIT_FOR_CEILINGS_MS } from '../../../src/controllers/sections/controller.ts';
import type { Informer } from '../../../src/runtime/informer/informer.ts';
import type { ReconcileContext } from '../../../src/runtime/reconciler.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import { noEvents } from '../runtime/fixtures.ts';

const T0 = Date.UTC(2026, 10, 27, 12);

function guardWith(spec: Partial<CostGuardSpec>, status: CostGuardStatus | undefined, generation = 2): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: { name: 'g', namespace: 'ns', generation, resourceVersion: '7' },
    spec: { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 3 }], ...spec } as CostGuardSpec,
    ...(status ? { status } : {}),
  };
}

async function run(guard: CostGuard): Promise<{ result: unknown; written: CostGuardStatus[] }> {
  const written: CostGuardStatus[] = [];
  const guards = { getByKey: () => guard } as unknown as Informer<CostGuard>;
  const ctx = {
    clock: new FakeClock(T0),
    events: noEvents,
    status: {
      update: (_r: unknown, current: CostGuard, status: CostGuardStatus) => {
        written.push(status);
        return Promise.resolve({ written: true, object: current });
      },
    },
  } as unknown as ReconcileContext;
  const result = await new SectionsReconciler({ guards, handled: new Set(['concurrency']) }).reconcile('ns/g', ctx);
  return { result, written };
}

describe('SectionsReconciler', () => {
  const ceilingsDone: CostGuardStatus = {
    observedGeneration: 2,
    conditions: [{ type: 'CeilingsEnforced', status: 'True', reason: 'WithinCeilings', message: 'ok', lastTransitionTime: '2026-11-27T11:00:00Z' }],
  };

  it('sets NotImplemented for an unhandled section and re-derives Ready from it', async () => {
    const { written } = await run(guardWith({ cost: {}, breaker: {} as CostGuardSpec['breaker'] }, ceilingsDone));
    assert.equal(written.length, 1);
    const byType = Object.fromEntries((written[0]?.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
    assert.deepEqual(byType, { CeilingsEnforced: 'True/WithinCeilings', CostTracked: 'False/NotImplemented', Ready: 'False/NotImplemented' });
  });

  it('waits for the ceilings controller to report this generation before writing', async () => {
    const { result, written } = await run(guardWith({ cost: {} }, { ...ceilingsDone, observedGeneration: 1 }));
    assert.deepEqual([result, written.length], [{ requeueAfter: WAIT_FOR_CEILINGS_MS }, 0]);
  });

  it('writes nothing when no section condition would change', async () => {
    const { result, written } = await run(guardWith({}, { ...ceilingsDone, observedGeneration: 1 }));
    assert.deepEqual([result, written.length], [undefined, 0]);
  });

  it('removes the condition of a section that left the spec', async () => {
    const stale = { type: 'AlertsReady', status: 'False' as const, reason: 'NotImplemented', message: 'x', lastTransitionTime: '2026-11-27T11:00:00Z' };
    const { written } = await run(guardWith({}, { ...ceilingsDone, conditions: [...(ceilingsDone.conditions ?? []), stale] }));
    assert.deepEqual(written[0]?.conditions?.map((c) => c.type), ['CeilingsEnforced', 'Ready']);
  });
});
