// Watches that only map events to keys cache PartialObjectMetadata: the API server sends no
// spec, data or status (so 5,000 Deployments do not sit in the operator's heap), and adds,
// label changes and deletes still reach the mapped keys. --metadata-only-informers=false
// brings back whole objects.
import assert from 'node:assert/strict';
import { createNamespace, eventually, installWidgetCrd, newManager, rest, testConfig, WIDGETS } from './helpers.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { Reconciler } from '../../../src/runtime/reconciler.ts';

class Keys implements Reconciler {
  readonly name = 'keys';
  readonly counts = new Map<string, number>();
  reconcile(key: string): Promise<void> {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return Promise.resolve();
  }
}

type ConfigMap = KubeObject & { data?: Record<string, string> };

const byWidgetLabel = (o: KubeObject): string[] => (o.metadata?.labels?.widget ? [`${o.metadata.namespace}/${o.metadata.labels.widget}`] : []);

async function createConfigMap(ns: string, name: string, widget: string): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { widget } }, data: { payload: 'x'.repeat(4096) } };
  await rest().create(collectionPath(Resources.configMaps, ns), body);
}

describe('runtime: metadata-only informers (real API server)', function () {
  this.timeout(60_000);
  let ns: string;
  let manager: Manager | undefined;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-metadata');
  });

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
  });

  async function start(argv: string[] = []): Promise<{ keys: Keys; manager: Manager }> {
    const keys = new Keys();
    const m = newManager(testConfig(ns, argv));
    m.addController(keys, { for: WIDGETS, watches: [{ resource: Resources.configMaps, map: byWidgetLabel, metadataOnly: true }] });
    await m.start();
    manager = m;
    return { keys, manager: m };
  }

  it('caches metadata only and still maps add, relabel and delete to keys', async () => {
    const { keys, manager: m } = await start();
    await createConfigMap(ns, 'cm-a', 'alpha');
    await eventually('alpha woken by the add', () => keys.counts.get(`${ns}/alpha`));
    const cached = m.informer<ConfigMap>(Resources.configMaps, { metadataOnly: true }).get(ns, 'cm-a');
    assert.ok(cached, 'the ConfigMap is in the metadata cache');
    assert.equal(cached.kind, 'PartialObjectMetadata');
    assert.equal(cached.data, undefined, 'no data on the wire or in the cache');
    assert.equal(cached.metadata?.labels?.widget, 'alpha');
    assert.ok(cached.metadata?.resourceVersion);

    await rest().patch(objectPath(Resources.configMaps, ns, 'cm-a'), { metadata: { labels: { widget: 'beta' } } }, 'application/merge-patch+json');
    await eventually('beta woken by the relabel (watch event as PartialObjectMetadata)', () => keys.counts.get(`${ns}/beta`));
    assert.equal(m.informer<ConfigMap>(Resources.configMaps, { metadataOnly: true }).get(ns, 'cm-a')?.data, undefined);

    const alphaBefore = keys.counts.get(`${ns}/alpha`) ?? 0;
    const betaBefore = keys.counts.get(`${ns}/beta`) ?? 0;
    await rest().delete(objectPath(Resources.configMaps, ns, 'cm-a'));
    await eventually('beta woken by the delete', () => (keys.counts.get(`${ns}/beta`) ?? 0) > betaBefore);
    await eventually('gone from the cache', () => !m.informer(Resources.configMaps, { metadataOnly: true }).get(ns, 'cm-a'));
    assert.equal(keys.counts.get(`${ns}/alpha`) ?? 0, alphaBefore, 'the old owner was not woken by the delete');
    const restarts = (await m.metrics.registry.getMetricsAsJSON()).find((x) => x.name === 'costguard_watch_restarts_total')?.values ?? [];
    assert.deepEqual(restarts.filter((v) => v.value > 0), [], 'events came over the metadata watch, not through relists after errors');
  });

  it('--metadata-only-informers=false caches whole objects (the old mode)', async () => {
    const { keys, manager: m } = await start(['--metadata-only-informers=false']);
    await createConfigMap(ns, 'cm-full', 'gamma');
    await eventually('gamma woken', () => keys.counts.get(`${ns}/gamma`));
    const cached = m.informer<ConfigMap>(Resources.configMaps).get(ns, 'cm-full');
    assert.equal(cached?.data?.payload?.length, 4096);
    assert.deepEqual(m.readiness().informers, { 'widgets.test.costguard.io': 'synced', configmaps: 'synced' });
  });
});
