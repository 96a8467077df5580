// The notifier's contract with an in-memory ConfigMap API (a scripted fake of the three calls
// the outbox store makes): dedupe, Events per announcement, the trigger only with Slack, and
// never a throw when recording fails.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { KubeNotifier } from '../../../src/alerting/kube-notifier.ts';
import { AlertMetrics } from '../../../src/alerting/metrics.ts';
import { OutboxStore } from '../../../src/alerting/outbox-store.ts';
import { parseOutbox } from '../../../src/alerting/outbox.ts';
import { Trigger } from '../../../src/alerting/trigger.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { KubeApiError } from '../../../src/runtime/errors.ts';
import type { EventSpec } from '../../../src/runtime/events.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';

interface Stored {
  metadata: { name: string; resourceVersion: string; ownerReferences?: { uid: string }[] };
  data?: Record<string, string>;
}

class FakeConfigMaps {
  objects = new Map<string, Stored>();
  failing = false;
  conflicts = 0;
  calls = 0;
  private rv = 1;

  get<T>(path: string): Promise<T> {
    this.calls++;
    if (this.failing) return Promise.reject(new KubeApiError(503, 'unavailable'));
    const obj = this.objects.get(path);
    return obj ? Promise.resolve(structuredClone(obj) as T) : Promise.reject(new KubeApiError(404, 'not found'));
  }

  create<T>(path: string, body: unknown): Promise<T> {
    this.calls++;
    const obj = body as Stored;
    const key = `${path}/${obj.metadata.name}`;
    obj.metadata.resourceVersion = String(this.rv++);
    this.objects.set(key, obj);
    return Promise.resolve(obj as T);
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    this.calls++;
    const obj = body as Stored;
    if (this.conflicts > 0) {
      this.conflicts--;
      return Promise.reject(new KubeApiError(409, 'conflict'));
    }
    if (this.objects.get(path)?.metadata.resourceVersion !== obj.metadata.resourceVersion) return Promise.reject(new KubeApiError(409, 'conflict'));
    obj.metadata.resourceVersion = String(this.rv++);
    this.objects.set(path, obj);
    return Promise.resolve(obj as T);
  }
}

function guard(slack: boolean, repeatInterval = '1h'): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: { name: 'g', namespace: 'ns', uid: 'uid-1' },
    spec: { mode: 'DryRun', onDelete: 'Keep', workloads: [], alerts: { repeatInterval, ...(slack ? { slack: { webhookSecretRef: { name: 's', key: 'url' } } } : {}) } },
  } as unknown as CostGuard;
}

const alert = { incident: 'runaway', severity: 'critical' as const, title: 'Runaway', evidence: ['x'], actions: ['y'] };

function setup() {
  const api = new FakeConfigMaps();
  const events: EventSpec[] = [];
  const triggered: string[] = [];
  const trigger = new Trigger();
  trigger.source((key) => triggered.push(key));
  const clock = new FakeClock(0);
  const notifier = new KubeNotifier({
    store: new OutboxStore(api),
    events: { publish: (e) => (events.push(e), Promise.resolve('emitted')) },
    clock,
    log: silentLogger(),
    metrics: new AlertMetrics(new Registry()),
    trigger,
  });
  const outbox = () => parseOutbox([...api.objects.values()][0]?.data?.['outbox.json']).outbox;
  return { api, events, triggered, clock, notifier, outbox };
}

describe('KubeNotifier', () => {
  it('announces once per repeatInterval: one Event, one queued message, one trigger', async () => {
    const t = setup();
    await t.notifier.fire(guard(true), alert);
    await t.notifier.fire(guard(true), alert);
    assert.deepEqual(t.events.map((e) => [e.reason, e.type]), [['AlertFiring', 'Warning']]);
    assert.deepEqual(t.triggered, ['ns/g']);
    assert.equal(t.outbox().pending.length, 1);
    await t.clock.advance(3_600_000);
    await t.notifier.fire(guard(true), alert);
    assert.equal(t.events.length, 2);
    assert.equal(t.outbox().pending.length, 1, 'the waiting message is refreshed, not doubled');
  });

  it('RESOLVED: an Event naming the incident\'s title, a message, once', async () => {
    const t = setup();
    await t.notifier.fire(guard(true), alert);
    await t.notifier.resolve(guard(true), 'runaway', 'healthy');
    await t.notifier.resolve(guard(true), 'runaway', 'healthy');
    assert.deepEqual(t.events.map((e) => [e.reason, e.message]), [['AlertFiring', '[critical] Runaway: x'], ['AlertResolved', 'Runaway: healthy']]);
    assert.deepEqual(t.outbox().pending.map((m) => m.state), ['FIRING', 'RESOLVED']);
  });

  it('without Slack: Events only, nothing queued, no trigger', async () => {
    const t = setup();
    await t.notifier.fire(guard(false), alert);
    assert.equal(t.events.length, 1);
    assert.deepEqual(t.triggered, []);
    assert.equal(t.outbox().pending.length, 0);
  });

  it('retries the outbox write on a 409', async () => {
    const t = setup();
    await t.notifier.fire(guard(true), alert);
    t.api.conflicts = 2;
    await t.notifier.fire(guard(true), { ...alert, incident: 'other' });
    assert.equal(t.outbox().pending.length, 2);
  });

  it('never throws when the outbox cannot be written, and still publishes the Event', async () => {
    const t = setup();
    t.api.failing = true;
    await t.notifier.fire(guard(true), alert);
    assert.deepEqual(t.events.map((e) => e.reason), ['AlertFiring']);
    await t.notifier.resolve(guard(true), 'runaway', 'x');
  });

  it('with mustRecord throws when the outbox cannot be written (the caller retries before its status), not when its name is taken for good', async () => {
    const t = setup();
    t.api.failing = true;
    await assert.rejects(t.notifier.fire(guard(true), alert, { mustRecord: true }), /could not record alert runaway in the outbox: .*unavailable/);
    await assert.rejects(t.notifier.resolve(guard(true), 'runaway', 'x', { mustRecord: true }), /could not record alert runaway/);
    t.api.failing = false;
    const foreign = setup();
    foreign.api.objects.set('/api/v1/namespaces/ns/configmaps/costguard-g-alerts', { metadata: { name: 'costguard-g-alerts', resourceVersion: '1', ownerReferences: [{ uid: 'someone-else' }] } });
    await foreign.notifier.fire(guard(true), alert, { mustRecord: true });
    assert.deepEqual(foreign.events.map((e) => e.reason), ['AlertFiring'], 'Events only, and the brake is not held up');
    assert.deepEqual([...foreign.api.objects.keys()], ['/api/v1/namespaces/ns/configmaps/costguard-g-alerts'], 'the foreign ConfigMap is neither taken over nor doubled');
    assert.equal(foreign.api.objects.get('/api/v1/namespaces/ns/configmaps/costguard-g-alerts')?.data, undefined);
  });

  it('a fire that dedupes to nothing costs no API call (the outbox is remembered)', async () => {
    const t = setup();
    await t.notifier.fire(guard(true), alert);
    const calls = t.api.calls;
    for (let i = 0; i < 10; i++) await t.notifier.fire(guard(true), alert);
    assert.equal(t.api.calls, calls);
  });

  it('recovers when the ConfigMap was deleted behind its back', async () => {
    const t = setup();
    await t.notifier.fire(guard(true), alert);
    t.api.objects.clear();
    await t.notifier.fire(guard(true), { ...alert, incident: 'other' });
    assert.deepEqual(t.outbox().pending.map((m) => m.incident), ['other']);
  });

  it('serializes concurrent fires for one guard: every incident lands', async () => {
    const t = setup();
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.notifier.fire(guard(true), { ...alert, incident: `i${i}` })));
    assert.equal(t.outbox().pending.length, 20);
  });
});
