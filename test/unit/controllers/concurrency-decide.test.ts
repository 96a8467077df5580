import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { decideConcurrency, perReplicaLimit, type ObservedConcurrency } from '../../../src/controllers/concurrency/decide.ts';
import {
  configMapBody,
  configMapPatch,
  mayAdopt,
  readWorkerConfig,
  WORKER_CONFIG_KEY,
  type WorkerConfig,
} from '../../../src/controllers/concurrency/config.ts';
import { selectorQuery, workloadReplicas } from '../../../src/controllers/concurrency/workload.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const enforce = { mode: 'Enforce' as const, paused: false, nowMs: NOW };

function guard(spec: Partial<CostGuard['spec']> = {}, status: CostGuard['status'] = {}): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: { name: 'orders', namespace: 'pay', uid: 'uid-1', generation: 1 },
    spec: { mode: 'Enforce', concurrency: { workload: { kind: 'Deployment', name: 'orders' }, fleetMax: 200, perReplicaMax: 16 }, ...spec },
    status,
  } as CostGuard;
}

const absent = (replicas: number | undefined): ObservedConcurrency => ({ replicas, configMap: { state: 'absent' } });

describe('perReplicaLimit', () => {
  const cases: { fleetMax: number; perReplicaMax: number; replicas: number; want: number; why: string }[] = [
    { fleetMax: 200, perReplicaMax: 16, replicas: 10, want: 16, why: 'perReplicaMax binds: 200/10 = 20 > 16' },
    { fleetMax: 200, perReplicaMax: 16, replicas: 20, want: 10, why: 'the fleet share binds: 200/20 = 10' },
    { fleetMax: 200, perReplicaMax: 16, replicas: 30, want: 6, why: 'floored: 200/30 = 6.67' },
    { fleetMax: 200, perReplicaMax: 16, replicas: 200, want: 1, why: 'exactly 1 each' },
    { fleetMax: 200, perReplicaMax: 16, replicas: 450, want: 1, why: 'never below 1, though the fleet cap is then out of reach' },
    { fleetMax: 200, perReplicaMax: 16, replicas: 0, want: 16, why: 'no replicas: a first pod may use perReplicaMax' },
    { fleetMax: 5, perReplicaMax: 5, replicas: 1, want: 5, why: 'one replica gets it all' },
  ];
  for (const c of cases) {
    it(`${c.replicas} replicas, fleetMax ${c.fleetMax}, perReplicaMax ${c.perReplicaMax} → ${c.want} (${c.why})`, () => {
      assert.equal(perReplicaLimit(c, c.replicas), c.want);
    });
  }

  it('never exceeds fleetMax across the fleet while replicas ≤ fleetMax, and is never 0 (property)', () => {
    const specs = Array.from({ length: 60 }, (_, i) => i + 1).flatMap((fleetMax) => Array.from({ length: fleetMax }, (_, j) => ({ fleetMax, perReplicaMax: j + 1 })));
    for (const spec of specs) {
      for (let replicas = 0; replicas <= 80; replicas++) {
        const limit = perReplicaLimit(spec, replicas);
        assert.ok(limit >= 1 && limit <= spec.perReplicaMax);
        if (replicas <= spec.fleetMax) assert.ok(replicas * limit <= spec.fleetMax, `${replicas} × ${limit} > ${spec.fleetMax}`);
      }
    }
  });
});

describe('decideConcurrency', () => {
  it('publishes the limit with breaker defaults, the retry budget and frozen=false', () => {
    const d = decideConcurrency(guard(), absent(20), enforce);
    assert.deepEqual(d.publish, {
      version: 1,
      guard: 'pay/orders',
      perReplicaLimit: 10,
      frozen: false,
      retryBudgetPercent: 10,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 },
      publishedAt: '2026-03-01T12:00:00Z',
    });
    assert.deepEqual(d.status, {
      replicas: 20,
      perReplicaLimit: 10,
      fleetInFlightCap: 200,
      fleetMaxReachable: true,
      frozen: false,
      configMap: 'costguard-orders',
      publishedAt: '2026-03-01T12:00:00Z',
    });
    assert.equal(d.condition.status, 'True');
    assert.equal(d.condition.reason, 'Published');
    assert.match(d.condition.message ?? '', /per-replica limit 10 for 20 replicas of Deployment\/orders \(fleet cap 200 of fleetMax 200\)/);
    assert.equal(d.news?.reason, 'ConcurrencyPublished');
  });

  it('takes spec.breaker and spec.runaway.retryBudgetPercent when given', () => {
    const g = guard({
      breaker: { errorThresholdPercentage: 25, volumeThreshold: 5, resetTimeout: '1m30s', fleetOpenPercent: 30 },
      runaway: { signals: { workers: { metricsPort: 9464, path: '/metrics' } }, window: '30m', retryBudgetPercent: 3, action: 'Alert', cooldown: '15m' },
    });
    const d = decideConcurrency(g, absent(4), enforce);
    assert.deepEqual(d.publish?.breaker, { errorThresholdPercentage: 25, volumeThreshold: 5, resetTimeoutMs: 90_000, fleetOpenPercent: 30 });
    assert.equal(d.publish?.retryBudgetPercent, 3);
  });

  it('publishes frozen exactly while status.brake is present', () => {
    const braked = guard({}, { brake: { action: 'Freeze', engagedAt: '2026-03-01T11:00:00Z', reason: 'runaway' } });
    assert.equal(decideConcurrency(braked, absent(4), enforce).publish?.frozen, true);
    assert.match(decideConcurrency(braked, absent(4), enforce).condition.message ?? '', /frozen/);
    assert.equal(decideConcurrency(guard(), absent(4), enforce).publish?.frozen, false);
  });

  it('does not rewrite an unchanged ConfigMap and keeps its publishedAt', () => {
    const first = decideConcurrency(guard(), absent(20), { ...enforce, nowMs: NOW - 60_000 });
    const published = first.publish!;
    const again = decideConcurrency(guard(), { replicas: 20, configMap: { state: 'ours', published } }, enforce);
    assert.equal(again.publish, undefined);
    assert.equal(again.news, undefined);
    assert.equal(again.status?.publishedAt, published.publishedAt);
    assert.equal(again.condition.reason, 'Published');
  });

  it('publishes again with a new publishedAt when replicas change the limit', () => {
    const published = decideConcurrency(guard(), absent(20), { ...enforce, nowMs: NOW - 60_000 }).publish!;
    const d = decideConcurrency(guard(), { replicas: 40, configMap: { state: 'ours', published } }, enforce);
    assert.equal(d.publish?.perReplicaLimit, 5);
    assert.equal(d.publish?.publishedAt, '2026-03-01T12:00:00Z');
  });

  it('says when replicas exceed fleetMax (True: published, but the fleet cap is out of reach)', () => {
    const d = decideConcurrency(guard(), absent(250), enforce);
    assert.equal(d.publish?.perReplicaLimit, 1);
    assert.equal(d.status?.fleetMaxReachable, false);
    assert.equal(d.status?.fleetInFlightCap, 250);
    assert.equal(d.condition.status, 'True');
    assert.equal(d.condition.reason, 'FleetCapUnreachable');
    assert.match(d.condition.message ?? '', /250 replicas exceed fleetMax 200/);
    assert.equal(d.news?.reason, 'FleetCapUnreachable');
  });

  it('computes and reports in DryRun without publishing', () => {
    const d = decideConcurrency(guard({ mode: 'DryRun' }), absent(20), { ...enforce, mode: 'DryRun' });
    assert.equal(d.publish, undefined);
    assert.equal(d.status?.perReplicaLimit, 10);
    assert.equal(d.status?.publishedAt, undefined);
    assert.deepEqual([d.condition.status, d.condition.reason], ['False', 'DryRun']);
    assert.match(d.condition.message ?? '', /DryRun: would publish per-replica limit 10/);
    assert.equal(d.news?.reason, 'WouldPublish');
  });

  it('does not publish while paused', () => {
    const d = decideConcurrency(guard(), absent(20), { ...enforce, paused: true });
    assert.equal(d.publish, undefined);
    assert.deepEqual([d.condition.status, d.condition.reason], ['False', 'Paused']);
  });

  it('reports a missing workload and keeps status as it was', () => {
    const d = decideConcurrency(guard(), absent(undefined), enforce);
    assert.equal(d.publish, undefined);
    assert.equal(d.status, undefined);
    assert.deepEqual([d.condition.status, d.condition.reason], ['False', 'WorkloadNotFound']);
    assert.match(d.condition.message ?? '', /Deployment\/orders does not exist in namespace pay/);
  });

  it('never writes over a ConfigMap someone else owns', () => {
    const d = decideConcurrency(guard(), { replicas: 4, configMap: { state: 'foreign' } }, enforce);
    assert.equal(d.publish, undefined);
    assert.deepEqual([d.condition.status, d.condition.reason], ['False', 'ConfigMapConflict']);
  });

  it('with only spec.breaker publishes nothing and says so (True: the fleet view runs)', () => {
    const g = guard({ concurrency: undefined, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeout: '30s', fleetOpenPercent: 50 }, workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 5 }] });
    const d = decideConcurrency(g, absent(3), enforce);
    assert.equal(d.publish, undefined);
    assert.deepEqual([d.condition.status, d.condition.reason], ['True', 'FleetViewOnly']);
    assert.match(d.condition.message ?? '', /watches Deployment\/w/);
  });
});

describe('worker ConfigMap', () => {
  const config: WorkerConfig = {
    version: 1,
    guard: 'pay/orders',
    perReplicaLimit: 3,
    frozen: false,
    retryBudgetPercent: 10,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 },
    publishedAt: '2026-03-01T12:00:00Z',
  };

  it('is named costguard-<guard>, labelled, owned by the guard, and round-trips worker.json', () => {
    const cm = configMapBody(guard(), config);
    assert.equal(cm.metadata?.name, 'costguard-orders');
    assert.equal(cm.metadata?.namespace, 'pay');
    assert.deepEqual(cm.metadata?.labels, { 'app.kubernetes.io/managed-by': 'costguard' });
    assert.deepEqual(cm.metadata?.ownerReferences, [
      { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', name: 'orders', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(readWorkerConfig(cm), config);
  });

  it('reads a malformed or foreign worker.json as nothing (so it is rewritten)', () => {
    assert.equal(readWorkerConfig({ data: { [WORKER_CONFIG_KEY]: '{not json' } }), undefined);
    assert.equal(readWorkerConfig({ data: { [WORKER_CONFIG_KEY]: '{"perReplicaLimit":3}' } }), undefined);
    assert.equal(readWorkerConfig({ data: {} }), undefined);
  });

  it('adopts only its own or a costguard-labelled ConfigMap', () => {
    assert.equal(mayAdopt({ metadata: { name: 'costguard-orders' } }, guard()), false);
    assert.equal(mayAdopt({ metadata: { labels: { 'app.kubernetes.io/managed-by': 'costguard' } } }, guard()), true);
    assert.equal(mayAdopt({ metadata: { ownerReferences: [{ apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', name: 'orders', uid: 'uid-1' }] } }, guard()), true);
  });

  it('patches locked on resourceVersion and drops keys that are not worker.json', () => {
    const patch = configMapPatch(guard(), { metadata: { resourceVersion: '42' }, data: { extra: 'x', [WORKER_CONFIG_KEY]: '{}' } }, config) as {
      metadata: { resourceVersion: string };
      data: Record<string, string | null>;
    };
    assert.equal(patch.metadata.resourceVersion, '42');
    assert.equal(patch.data.extra, null);
    assert.deepEqual(JSON.parse(patch.data[WORKER_CONFIG_KEY] ?? ''), config);
  });
});

describe('workload replicas and selector', () => {
  it('counts the larger of desired and running replicas', () => {
    assert.equal(workloadReplicas({ spec: { replicas: 10 }, status: { replicas: 4 } }), 10, 'scaling out: new pods count before they start');
    assert.equal(workloadReplicas({ spec: { replicas: 2 }, status: { replicas: 6 } }), 6, 'scaling in or surging: running pods still count');
    assert.equal(workloadReplicas({ spec: {} }), 1, 'spec.replicas defaults to 1');
  });

  it('renders a label selector query and refuses an empty one', () => {
    assert.equal(selectorQuery({ matchLabels: { app: 'w', tier: 'q' } }), 'app=w,tier=q');
    assert.equal(
      selectorQuery({ matchLabels: { app: 'w' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] }),
      'app=w,env in (a,b),!canary',
    );
    assert.equal(selectorQuery({}), undefined);
    assert.equal(selectorQuery(undefined), undefined);
  });
});
