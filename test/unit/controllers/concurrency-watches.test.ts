import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { replicasChanged, specOrBrakeChanged, workerWorkloadWatches } from '../../../src/controllers/concurrency/watches.ts';
import type { Informer } from '../../../src/runtime/informer/informer.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';

const deployment = (name: string, replicas: number, running: number, rv = '1'): KubeObject =>
  ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { replicas, selector: { matchLabels: { app: name } } }, status: { replicas: running } }) as KubeObject;

const guard = (name: string, spec: Partial<CostGuard['spec']>, status: CostGuard['status'] = {}): CostGuard =>
  ({ metadata: { name, namespace: 'ns', generation: 1, resourceVersion: '1' }, spec: { mode: 'Enforce', ...spec }, status }) as CostGuard;

describe('concurrency watches', () => {
  it('wakes on a change of desired or running replicas, not on other status churn', () => {
    assert.equal(replicasChanged(deployment('w', 3, 3), deployment('w', 4, 3, '2')), true);
    assert.equal(replicasChanged(deployment('w', 3, 3), deployment('w', 3, 2, '2')), true);
    const churn = { ...deployment('w', 3, 3, '2'), status: { replicas: 3, observedGeneration: 9 } } as KubeObject;
    assert.equal(replicasChanged(deployment('w', 3, 3), churn), false);
  });

  it('wakes the guard when its brake engages or releases, not for other status writes', () => {
    const base = guard('g', {});
    const braked = guard('g', {}, { brake: { action: 'Freeze', engagedAt: '2026-01-01T00:00:00Z', reason: 'r' } });
    assert.equal(specOrBrakeChanged(base, braked), true);
    assert.equal(specOrBrakeChanged(braked, base), true);
    assert.equal(specOrBrakeChanged(base, guard('g', {}, { observedGeneration: 1 })), false);
  });

  it('maps a Deployment to the guards whose workers it runs: concurrency.workload, else the first Deployment in workloads', () => {
    const guards = [
      guard('by-concurrency', { concurrency: { workload: { kind: 'Deployment', name: 'w' }, fleetMax: 10, perReplicaMax: 2 } }),
      guard('by-workloads', { breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeout: '30s', fleetOpenPercent: 50 }, workloads: [{ kind: 'HorizontalPodAutoscaler', name: 'x', maxReplicas: 3 }, { kind: 'Deployment', name: 'w', maxReplicas: 3 }] }),
      guard('other', { concurrency: { workload: { kind: 'StatefulSet', name: 'w' }, fleetMax: 10, perReplicaMax: 2 } }),
    ];
    const informer = { list: () => guards } as unknown as Informer<CostGuard>;
    const [deployments, statefulSets] = workerWorkloadWatches(informer);
    assert.deepEqual(deployments?.map(deployment('w', 1, 1)), ['ns/by-concurrency', 'ns/by-workloads']);
    assert.deepEqual(statefulSets?.map(deployment('w', 1, 1)), ['ns/other']);
    assert.deepEqual(deployments?.map(deployment('unrelated', 1, 1)), []);
  });
});
