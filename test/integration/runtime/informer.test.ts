// Informers heal: the API server restarts mid-test (every watch connection is cut), and the
// informer keeps serving events afterwards; an optional API that is not installed (like KEDA
// or Karpenter on a plain cluster) neither fails readiness nor stops the manager, and is
// picked up once its CRD appears.
import assert from 'node:assert/strict';
import { testEnv } from '../../harness/env.ts';
import { createNamespace, createWidget, eventually, installWidgetCrd, kubectl, newManager, testConfig, WIDGETS } from './helpers.ts';
import { randomUUID } from 'node:crypto';
import { Resources, type ResourceType } from '../../../src/runtime/kube/resource.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { Reconciler } from '../../../src/runtime/reconciler.ts';

class Keys implements Reconciler {
  readonly name = 'keys';
  readonly seen = new Set<string>();
  reconcile(key: string): Promise<void> {
    this.seen.add(key);
    return Promise.resolve();
  }
}

async function restarts(manager: Manager, resource: string): Promise<number> {
  const metric = (await manager.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'costguard_watch_restarts_total');
  return metric?.values.find((v) => v.labels.resource === resource)?.value ?? 0;
}

// A CRD nobody else installs (other suites share this cluster and may install KEDA's).
const suffix = randomUUID().slice(0, 6);
const GADGETS: ResourceType = { group: `absent-${suffix}.test.costguard.io`, version: 'v1', plural: 'gadgets', kind: 'Gadget', namespaced: true, optional: true };
const gadgetCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: gadgets.${GADGETS.group} }
spec:
  group: ${GADGETS.group}
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;

describe('runtime: informers heal (real API server)', function () {
  this.timeout(120_000);
  let ns: string;
  let manager: Manager;
  let keys: Keys;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-informer');
  });

  beforeEach(async () => {
    keys = new Keys();
    manager = newManager(testConfig(ns), { informerTimings: { backoffBaseMs: 200, backoffMaxMs: 2000, absentRetryMs: 1000 } });
    manager.addController(keys, {
      for: WIDGETS,
      watches: [
        // Not installed when the test starts: tolerated, and mapped like any watch once it is.
        { resource: GADGETS, map: (o) => [`${o.metadata?.namespace}/${o.metadata?.name}`] },
        { resource: Resources.configMaps, map: (o) => (o.metadata?.labels?.widget ? [`${o.metadata.namespace}/${o.metadata.labels.widget}`] : []) },
      ],
    });
    await manager.start();
  });

  afterEach(async () => {
    await manager.stop();
  });

  it('keeps delivering events after the API server restarts', async () => {
    await createWidget(ns, 'before');
    await eventually('before reconciled', () => keys.seen.has(`${ns}/before`));
    const started = performance.now();
    await testEnv().controlPlane.restartApiServer();
    console.log(`      api_server_restart_ms=${Math.round(performance.now() - started)}`);
    await createWidget(ns, 'after');
    await eventually('after reconciled', () => keys.seen.has(`${ns}/after`), 30_000);
    await kubectl(['delete', 'widget.test.costguard.io', 'before', '-n', ns]);
    await eventually('the delete reaches the cache', () => manager.informer(WIDGETS).getByKey(`${ns}/before`) === undefined, 30_000);
    assert.ok((await restarts(manager, 'widgets.test.costguard.io')) >= 1, 'the restart is counted');
  });

  it('maps secondary objects to primary keys', async () => {
    await createWidget(ns, 'owner');
    await eventually('owner reconciled', () => keys.seen.has(`${ns}/owner`));
    keys.seen.clear();
    await kubectl(['create', 'configmap', 'cm-for-owner', '-n', ns]);
    await kubectl(['label', 'configmap', 'cm-for-owner', '-n', ns, 'widget=owner']);
    await eventually('the labelled ConfigMap wakes its widget', () => keys.seen.has(`${ns}/owner`));
  });

  it('tolerates an optional API that is not installed, and picks it up once installed', async () => {
    await eventually('ready', () => manager.readiness().ready);
    const readiness = manager.readiness();
    assert.equal(readiness.informers[`gadgets.${GADGETS.group}`], 'absent');
    assert.equal(readiness.informers['widgets.test.costguard.io'], 'synced');
    const res = await fetch(`${manager.endpoints?.healthUrl}/readyz`);
    assert.equal(res.status, 200);

    await kubectl(['apply', '-f', '-'], gadgetCrd);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/gadgets.${GADGETS.group}`]);
    await eventually('the informer notices the new API', () => manager.readiness().informers[`gadgets.${GADGETS.group}`] === 'synced', 30_000);
    await kubectl(['apply', '-n', ns, '-f', '-'], `apiVersion: ${GADGETS.group}/v1\nkind: Gadget\nmetadata: { name: g1 }\n`);
    await eventually('the gadget is mapped to a key', () => keys.seen.has(`${ns}/g1`), 30_000);
    await kubectl(['delete', 'crd', `gadgets.${GADGETS.group}`]);
  });
});
