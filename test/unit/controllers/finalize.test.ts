// A restore that keeps failing does not hold the guard forever: after MAX_RESTORE_ATTEMPTS the
// finalizer goes, with a RestoreFailed event and condition; before that, errors propagate.
import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import type { ScalingGroups } from '../../../src/cloud/scaling-groups.ts';
import { finalizeGuard, MAX_RESTORE_ATTEMPTS, type RestoreDeps } from '../../../src/controllers/ceilings/finalize.ts';
import type { GroupSnapshots } from '../../../src/controllers/targets/group-snapshots.ts';
import type { EventSpec } from '../../../src/runtime/events.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import type { ReconcileContext } from '../../../src/runtime/reconciler.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';

const guard: CostGuard = {
  apiVersion: 'costguard.io/v1alpha1',
  kind: 'CostGuard',
  metadata: { name: 'orders', namespace: 'team', uid: 'u1', resourceVersion: '7', finalizers: ['costguard.io/finalizer'], deletionTimestamp: new Date('2026-11-30T00:00:00Z') },
  spec: { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: 'g', maxSize: 5 }] },
};

describe('finalizeGuard', () => {
  it('propagates a failing restore, then after the bound releases the finalizer with RestoreFailed', async () => {
    const patches: unknown[] = [];
    const rest = { patch: (_p: string, body: unknown) => (patches.push(body), Promise.resolve(guard)) } as unknown as RestClient;
    const failing = { findByTags: () => Promise.reject(new Error('AccessDenied: role gone')), describe: () => Promise.reject(new Error('AccessDenied')) } as unknown as ScalingGroups;
    const deps: RestoreDeps = { rest, snapshots: {} as GroupSnapshots, scalingGroups: () => failing, defaultRegion: 'us-east-1', peers: () => [], restoreAttempts: new Map() };
    const events: EventSpec[] = [];
    const statuses: unknown[] = [];
    const ctx = {
      clock: new FakeClock(),
      log: silentLogger(),
      events: { publish: (e: EventSpec) => (events.push(e), Promise.resolve('emitted' as const)) },
      status: { update: (_r: unknown, current: CostGuard, status: unknown) => (statuses.push(status), Promise.resolve({ written: true, object: current })) },
    } as unknown as ReconcileContext;
    for (let i = 1; i < MAX_RESTORE_ATTEMPTS; i++) await assert.rejects(finalizeGuard(deps, guard, ctx), /role gone/);
    assert.equal(patches.length, 0, 'the finalizer stays while attempts remain');
    await finalizeGuard(deps, guard, ctx);
    assert.deepEqual(patches, [{ metadata: { resourceVersion: '7', finalizers: [] } }]);
    assert.equal(events[0]?.reason, 'RestoreFailed');
    assert.match(events[0]?.message ?? '', /failed 5 times \(AccessDenied: role gone\); released the finalizer anyway/);
    const condition = (statuses[0] as { conditions: { type: string; reason: string }[] }).conditions.find((c) => c.type === 'CeilingsEnforced');
    assert.equal(condition?.reason, 'RestoreFailed');
  });

  it('restores nothing the tenancy policy refuses: no group is read or written for a guard refused AWS', async () => {
    const rest = { patch: () => Promise.resolve(guard), get: () => Promise.reject(new Error('no workload read expected')) } as unknown as RestClient;
    const calls: string[] = [];
    const spy = {
      findByTags: (s: unknown) => (calls.push(`findByTags ${JSON.stringify(s)}`), Promise.resolve([])),
      describe: (n: unknown) => (calls.push(`describe ${JSON.stringify(n)}`), Promise.resolve([])),
    } as unknown as ScalingGroups;
    const base = { rest, snapshots: {} as GroupSnapshots, scalingGroups: () => spy, defaultRegion: 'us-east-1', peers: () => [], restoreAttempts: new Map() };
    const ctx = { clock: new FakeClock(), log: silentLogger(), events: { publish: () => Promise.resolve('emitted' as const) } } as unknown as ReconcileContext;
    const withStatus = { ...guard, status: { scalingGroups: [{ name: 'g', ceiling: 5, maxSize: 5, desired: 1, clamped: true }] } } as CostGuard;
    await finalizeGuard({ ...base, permits: { aws: false, nodePools: true } }, withStatus, ctx);
    assert.deepEqual(calls, [], 'refused AWS: not even the groups tagged with its name are looked up');
    await finalizeGuard({ ...base, permits: { aws: true, nodePools: true } }, withStatus, ctx);
    assert.ok(calls.length > 0, 'permitted: the restore reads its groups');
  });
});
