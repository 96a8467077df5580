import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { specOrBrakeChanged, workerWorkloadWatches, workloadSpecChanged } from '../../../src/controllers/concurrency/watches.ts';
import type { Informer } from '../../../src/runtime/informer/informer.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';

const deployment = (name: string, replicas: number, running: number, rv = '1'): KubeObject =>
  ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { replicas, selector: { matchLabels: { app: name } } }, status: { replicas: running } }) as KubeObject;

const guard = (name: string, spec: Partial<CostGuard['spec']>, status: CostGuard['status'] = {}): CostGuard =>
  ({ metadata: { name, namespace: 'ns', generation: 1, resourceVersion: '1' }, spec: { mode: 'Enforce', ...spec }, status }) as CostGuard;

describe('concurrency watches', () => {
  /** A worker Deployment as the metadata-only informer sees it: no spec, no status. */
  const partial = (generation: number, rv: string): KubeObject => ({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'w', namespace: 'ns', generation, resourceVersion: rv } });

  it('watches worker workloads as metadata only; concurrency wakes on any new version (running replicas live in status), the breaker on spec changes', () => {
    const informer = { list: () => [] } as unknown as Informer<CostGuard>;
    const concurrency = workerWorkloadWatches(informer);
    const breaker = workerWorkloadWatches(informer, workloadSpecChanged);
    assert.ok([...concurrency, ...breaker].every((w) => w.metadataOnly === true));
    const statusOnly = [partial(3, '10'), partial(3, '11')] as const;
    const scaled = [partial(3, '10'), partial(4, '12')] as const;
    assert.equal(concurrency[0]?.predicate?.(...statusOnly), true, 'a pod becoming ready changes status.replicas: the limit must follow');
    assert.equal(breaker[0]?.predicate?.(...statusOnly), false, 'the breaker polls; status churn alone does not wake it');
    assert.equal(breaker[0]?.predicate?.(...scaled), true);
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
