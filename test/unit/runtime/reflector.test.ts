import assert from 'node:assert/strict';
import { KubeApiError } from '../../../src/runtime/errors.ts';
import { Reflector } from '../../../src/runtime/informer/reflector.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { FakeClock, flushPromises } from '../../../src/runtime/testing/fake-clock.ts';
import type { KubeObject } from '../../../src/runtime/keys.ts';
import type { Query } from '../../../src/runtime/kube/rest.ts';

interface FakeWatch {
  path: string;
  query: Query;
  onEvent: (type: string, obj: unknown) => void;
  onDone: (err: unknown) => void;
  aborted: boolean;
}

/** A scripted API server: a list of objects, a queue of list failures, and open watches. */
class FakeApi {
  objects = new Map<string, KubeObject>();
  rv = 1;
  listFailures: Error[] = [];
  lists: Query[] = [];
  watches: FakeWatch[] = [];

  put(name: string, extra: Record<string, unknown> = {}): KubeObject {
    const obj = { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv), managedFields: [{ manager: 'kubectl' }] }, ...extra };
    this.objects.set(name, obj);
    return structuredClone(obj);
  }

  get current(): FakeWatch {
    const w = this.watches.at(-1);
    assert.ok(w && !w.aborted, 'a watch is open');
    return w;
  }

  list = (_path: string, query: Query) => {
    this.lists.push(query);
    const failure = this.listFailures.shift();
    if (failure) return Promise.reject(failure);
    return Promise.resolve({ metadata: { resourceVersion: String(this.rv) }, items: [...this.objects.values()].map((o) => structuredClone(o)) });
  };

  watch = (path: string, query: Query, onEvent: FakeWatch['onEvent'], onDone: FakeWatch['onDone']) => {
    const w: FakeWatch = { path, query, onEvent, onDone, aborted: false };
    this.watches.push(w);
    return Promise.resolve({ abort: () => (w.aborted = true) });
  };
}

const widgets = { group: 'test.io', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };

function setup(opts: { optional?: boolean } = {}) {
  const clock = new FakeClock();
  const api = new FakeApi();
  const seen: string[] = [];
  const restarts: string[] = [];
  const reflector = new Reflector<KubeObject>({
    resource: { ...widgets, optional: opts.optional },
    namespace: 'ns',
    list: api.list,
    watch: api.watch,
    clock,
    log: silentLogger(),
    listener: {
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (old, o) => seen.push(`update ${o.metadata?.name} ${old.metadata?.resourceVersion}→${o.metadata?.resourceVersion}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    },
    timings: { relistPeriodMs: 600_000, staleAfterMs: 90_000, backoffBaseMs: 1000, backoffMaxMs: 30_000, absentRetryMs: 120_000 },
    onRestart: (reason) => restarts.push(reason),
    random: () => 0,
  });
  return { clock, api, seen, restarts, reflector };
}

describe('Reflector (healing list/watch)', () => {
  it('lists, syncs, then watches from the list resourceVersion with bookmarks', async () => {
    const { api, seen, reflector } = setup();
    api.put('a');
    reflector.start();
    await flushPromises();
    assert.equal(reflector.hasSynced(), true);
    assert.deepEqual(seen, ['add a']);
    assert.equal(api.current.path, '/apis/test.io/v1/namespaces/ns/widgets');
    assert.equal(api.current.query.resourceVersion, String(api.rv));
    assert.equal(api.current.query.allowWatchBookmarks, true);
    assert.ok(Number(api.current.query.timeoutSeconds) < 30, 'the server ends the watch before client-node’s 30 s inactivity timeout');
    reflector.stop();
  });

  it('strips managedFields and fills apiVersion/kind on cached objects', async () => {
    const { api, reflector } = setup();
    api.put('a');
    reflector.start();
    await flushPromises();
    api.current.onEvent('ADDED', api.put('b'));
    for (const key of ['ns/a', 'ns/b']) {
      const obj = reflector.store.get(key);
      assert.equal(obj?.metadata?.managedFields, undefined);
      assert.equal(obj?.apiVersion, 'test.io/v1');
      assert.equal(obj?.kind, 'Widget');
    }
    reflector.stop();
  });

  it('applies watch events and hands the old object to update handlers', async () => {
    const { api, seen, reflector } = setup();
    const a = api.put('a');
    reflector.start();
    await flushPromises();
    api.current.onEvent('MODIFIED', api.put('a'));
    api.current.onEvent('DELETED', a);
    assert.deepEqual(seen, ['add a', `update a ${a.metadata?.resourceVersion}→${api.rv}`, 'delete a']);
    reflector.stop();
  });

  it('restarts after a watch error with exponential backoff and relists (deletes found by diff)', async () => {
    const { clock, api, seen, restarts, reflector } = setup();
    api.put('a');
    api.put('b');
    reflector.start();
    await flushPromises();
    api.objects.delete('b'); // deleted while we are disconnected
    api.listFailures = [new Error('connection refused'), new Error('connection refused')];
    api.current.onDone(new Error('socket hang up'));
    await clock.advance(999);
    assert.equal(api.lists.length, 1, 'waits 1 s before the first retry');
    await clock.advance(1);
    assert.equal(api.lists.length, 2);
    await clock.advance(1999);
    assert.equal(api.lists.length, 2, 'then 2 s');
    await clock.advance(1);
    assert.equal(api.lists.length, 3);
    await clock.advance(4000);
    assert.equal(api.lists.length, 4, 'then 4 s, and this one succeeds');
    assert.deepEqual(seen, ['add a', 'add b', 'delete b']);
    assert.deepEqual(restarts, ['watch-error', 'list-error', 'list-error']);
    assert.ok(api.current, 'watching again');
    reflector.stop();
  });

  it('relists at once on 410 Gone (expired resourceVersion)', async () => {
    const { api, restarts, reflector } = setup();
    reflector.start();
    await flushPromises();
    api.current.onEvent('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    api.current.onDone(null);
    await flushPromises();
    assert.equal(api.lists.length, 2);
    assert.deepEqual(restarts, ['expired']);
    reflector.stop();
  });

  it('re-watches from the last resourceVersion when the server ends a watch normally', async () => {
    const { clock, api, reflector } = setup();
    reflector.start();
    await flushPromises();
    await clock.advance(25_000);
    api.current.onEvent('BOOKMARK', { metadata: { resourceVersion: '99' } });
    api.current.onDone(null);
    await flushPromises();
    assert.equal(api.lists.length, 1, 'no relist');
    assert.equal(api.watches.length, 2);
    assert.equal(api.current.query.resourceVersion, '99');
    reflector.stop();
  });

  it('backs off when a watch closes right after opening, instead of spinning', async () => {
    const { api, restarts, reflector } = setup();
    reflector.start();
    await flushPromises();
    api.current.onDone(null);
    await flushPromises();
    assert.equal(api.watches.length, 1);
    assert.deepEqual(restarts, ['watch-error']);
    reflector.stop();
  });

  it('relists when the watch has been silent longer than staleAfter', async () => {
    const { clock, api, restarts, reflector } = setup();
    reflector.start();
    await flushPromises();
    await clock.advance(60_000);
    api.current.onEvent('BOOKMARK', { metadata: { resourceVersion: '5' } });
    await clock.advance(89_000);
    assert.equal(api.lists.length, 1, 'a bookmark 89 s ago keeps the watch alive');
    await clock.advance(2000);
    assert.equal(api.lists.length, 2);
    assert.deepEqual(restarts, ['stale']);
    reflector.stop();
  });

  it('counts a clean server-side close as liveness, but not client-side inactivity timeouts', async () => {
    const { clock, api, restarts, reflector } = setup();
    reflector.start();
    await flushPromises();
    for (let i = 0; i < 8; i++) {
      await clock.advance(25_000);
      api.current.onDone(null); // the server ends each watch at timeoutSeconds
      await flushPromises();
    }
    assert.deepEqual(restarts, [], 'a quiet resource is not stale');
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    for (let i = 0; i < 2; i++) {
      await clock.advance(30_000);
      api.current.onDone(timeout);
      await flushPromises();
    }
    assert.deepEqual(restarts, []);
    await clock.advance(30_000);
    assert.deepEqual(restarts, ['stale'], '90 s of client-side timeouts without data look like a dead watch');
    reflector.stop();
  });

  it('relists on the periodic timer without counting a restart', async () => {
    const { clock, api, restarts, reflector } = setup();
    reflector.start();
    await flushPromises();
    for (let i = 0; i < 10; i++) {
      await clock.advance(60_000);
      api.current.onEvent('BOOKMARK', { metadata: { resourceVersion: String(i + 10) } });
    }
    assert.equal(api.lists.length, 2);
    assert.deepEqual(restarts, []);
    reflector.stop();
  });

  it('tolerates an optional API that is not installed: synced, logged once, rechecked slowly', async () => {
    const { clock, api, reflector, seen } = setup({ optional: true });
    api.listFailures = [new KubeApiError(404, 'not found'), new KubeApiError(404, 'not found')];
    reflector.start();
    await flushPromises();
    assert.equal(reflector.hasSynced(), true);
    assert.equal(reflector.isAbsent(), true);
    await clock.advance(119_000);
    assert.equal(api.lists.length, 1);
    await clock.advance(1000);
    assert.equal(api.lists.length, 2);
    api.put('late');
    await clock.advance(120_000);
    assert.equal(reflector.isAbsent(), false, 'picked up once the CRD is installed');
    assert.deepEqual(seen, ['add late']);
    reflector.stop();
  });

  it('treats a 404 on a required API as an error to retry', async () => {
    const { api, reflector, restarts } = setup();
    api.listFailures = [new KubeApiError(404, 'not found')];
    reflector.start();
    await flushPromises();
    assert.equal(reflector.hasSynced(), false);
    assert.deepEqual(restarts, ['list-error']);
    reflector.stop();
  });

  it('ignores callbacks from a superseded watch and stops cleanly', async () => {
    const { clock, api, seen, reflector } = setup();
    reflector.start();
    await flushPromises();
    const old = api.current;
    old.onDone(new Error('reset'));
    await clock.advance(1000);
    assert.equal(api.watches.length, 2);
    old.onEvent('ADDED', api.put('ghost'));
    old.onDone(new Error('late duplicate'));
    assert.deepEqual(seen, [], 'events from the old watch are dropped');
    assert.equal(api.lists.length, 2, 'a late done from the old watch does not restart anything');
    const current = api.current;
    reflector.stop();
    assert.equal(current.aborted, true);
    assert.equal(clock.pendingTimers, 0, 'stop clears every timer');
  });
});
