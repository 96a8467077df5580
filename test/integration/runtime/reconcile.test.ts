// The reconcile contract against a real API server: real informers feed the queue, keys are
// deduplicated and serialized, errors back off, and status writes do not loop.
import assert from 'node:assert/strict';
import { TerminalError } from '../../../src/runtime/errors.ts';
import { createNamespace, createWidget, delay, eventually, installWidgetCrd, newManager, patchWidgetSpec, testConfig, WIDGETS, type Widget } from './helpers.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../../src/runtime/reconciler.ts';

type Behaviour = (key: string, ctx: ReconcileContext, widget: Widget | undefined) => Promise<ReconcileResult | void>;

/**
 * Records every reconcile (time, generation seen, overlap) and delegates to a behaviour.
 * Sentinel keys are answered with one requeueAfter: a sentinel reconciled twice proves the
 * controller kept working for that long after every event before it (see `quietFor`).
 */
class Recorder implements Reconciler {
  readonly name = 'recorder';
  readonly calls: Array<{ key: string; at: number; generation: number | undefined }> = [];
  readonly active = new Set<string>();
  readonly sentinels = new Map<string, number>();
  overlapped = false;
  behaviour: Behaviour = () => Promise.resolve();
  manager: Manager | undefined;

  count(key: string): number {
    return this.calls.filter((c) => c.key === key).length;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const widget = this.manager?.informer<Widget>(WIDGETS).getByKey(key);
    this.calls.push({ key, at: performance.now(), generation: widget?.metadata?.generation });
    if (this.active.has(key)) this.overlapped = true;
    this.active.add(key);
    try {
      const requeueAfter = this.sentinels.get(key);
      if (requeueAfter !== undefined) return this.count(key) === 1 ? { requeueAfter } : undefined;
      return await this.behaviour(key, ctx, widget);
    } finally {
      this.active.delete(key);
    }
  }
}

describe('runtime: reconcile contract (real API server)', function () {
  this.timeout(60_000);
  let ns: string;
  let manager: Manager;
  let rec: Recorder;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-reconcile');
  });

  beforeEach(async () => {
    rec = new Recorder();
    manager = newManager(testConfig(ns, ['--max-concurrent-reconciles=4']));
    rec.manager = manager;
    manager.addController(rec, { for: WIDGETS });
    await manager.start();
    await manager.informer(WIDGETS).waitForSync();
  });

  afterEach(async () => {
    await manager.stop();
  });

  /**
   * Instead of a sleep before "nothing more happened": a sentinel object created now (after every
   * event of the test, in the same watch stream) is reconciled, requeued, and reconciled again
   * `ms` later. Once it has, the controller was alive and processing for `ms` after the events
   * under test, so a reconcile they should not cause would have been recorded.
   */
  async function quietFor(ms: number): Promise<void> {
    const name = `sentinel-${rec.sentinels.size}-${Date.now()}`;
    const key = `${ns}/${name}`;
    rec.sentinels.set(key, ms);
    await createWidget(ns, name);
    await eventually(`sentinel ${name} reconciled twice, ${ms} ms apart`, () => rec.count(key) >= 2 && !rec.active.has(key), ms + 15_000);
  }

  it('deduplicates keys and never reconciles one key concurrently; the latest generation wins', async () => {
    rec.behaviour = () => delay(300);
    await createWidget(ns, 'dedupe');
    const key = `${ns}/dedupe`;
    await eventually('first reconcile', () => rec.active.has(key));
    for (let i = 2; i <= 11; i++) await patchWidgetSpec(ns, 'dedupe', { size: i });
    await eventually('a reconcile of the last generation', () => rec.calls.some((c) => c.key === key && c.generation === 11));
    await quietFor(700);
    assert.equal(rec.overlapped, false, 'one key was reconciled twice at once');
    assert.ok(rec.count(key) <= 4, `10 updates during a 300 ms reconcile should collapse, got ${rec.count(key)} reconciles`);
    assert.ok(rec.count(key) >= 2, 'an update during a reconcile must be reconciled again after it');
  });

  it('runs different keys in parallel, up to max-concurrent-reconciles', async () => {
    let peak = 0;
    rec.behaviour = async () => {
      peak = Math.max(peak, rec.active.size);
      await delay(400);
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => createWidget(ns, `par-${i}`)));
    await eventually('8 reconciles', () => rec.calls.filter((c) => c.key.includes('/par-')).length >= 8);
    assert.equal(peak, 4);
  });

  it('backs off on errors: 5, 10, 20, 40 ms and more between attempts', async () => {
    let failures = 0;
    rec.behaviour = (key) => {
      if (!key.endsWith('/flaky') || failures >= 5) return Promise.resolve();
      failures++;
      return Promise.reject(new Error('downstream unavailable'));
    };
    await createWidget(ns, 'flaky');
    const key = `${ns}/flaky`;
    await eventually('6 attempts', () => rec.count(key) >= 6);
    const at = rec.calls.filter((c) => c.key === key).map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    [5, 10, 20, 40, 80].forEach((min, i) => assert.ok((gaps[i] ?? 0) >= min - 1, `gap ${i} was ${gaps[i]} ms, expected ≥ ${min}`));
    await quietFor(500);
    assert.equal(rec.count(key), 6, 'success stops the retries');
  });

  it('does not retry a TerminalError', async () => {
    rec.behaviour = (key) => (key.endsWith('/broken') ? Promise.reject(new TerminalError('spec.size must be positive')) : Promise.resolve());
    await createWidget(ns, 'broken');
    await eventually('first reconcile', () => rec.count(`${ns}/broken`) === 1);
    await quietFor(1000);
    assert.equal(rec.count(`${ns}/broken`), 1);
  });

  it('honours requeueAfter', async () => {
    rec.behaviour = (key) => Promise.resolve(key.endsWith('/timer') && rec.count(key) < 3 ? { requeueAfter: 300 } : undefined);
    await createWidget(ns, 'timer');
    const key = `${ns}/timer`;
    await eventually('3 reconciles', () => rec.count(key) >= 3);
    const at = rec.calls.filter((c) => c.key === key).map((c) => c.at);
    assert.ok((at[1] ?? 0) - (at[0] ?? 0) >= 295, `requeued after ${(at[1] ?? 0) - (at[0] ?? 0)} ms`);
    await quietFor(600);
    assert.equal(rec.count(key), 3);
  });

  it('status writes do not trigger reconciles: one reconcile per generation', async () => {
    let writes = 0;
    rec.behaviour = async (key, ctx, widget) => {
      if (!key.endsWith('/status') || !widget) return;
      // A status that changes on every reconcile: the worst case for a hot loop.
      const status = { observedGeneration: widget.metadata?.generation, writes: writes + 1, at: new Date().toISOString() };
      const result = await ctx.status.update(WIDGETS, widget, status);
      assert.equal(result.written, true);
      writes++;
    };
    await createWidget(ns, 'status');
    const key = `${ns}/status`;
    const generations = 5;
    await eventually('generation 1 observed', () => writes === 1);
    for (let g = 2; g <= generations; g++) {
      await patchWidgetSpec(ns, 'status', { size: g });
      // Wait for the write to land: a spec change racing our own status write is a genuine
      // 409 conflict, and its requeue would be a second (correct) reconcile of that generation.
      await eventually(`generation ${g} written`, () => writes === g);
    }
    await quietFor(1500);
    const perGeneration = new Map<number, number>();
    for (const c of rec.calls.filter((x) => x.key === key)) perGeneration.set(c.generation ?? 0, (perGeneration.get(c.generation ?? 0) ?? 0) + 1);
    console.log(`      status_writes=${writes} reconciles=${rec.count(key)} generations=${generations}`);
    assert.deepEqual([...perGeneration.values()], Array.from({ length: generations }, () => 1), `reconciles per generation: ${JSON.stringify([...perGeneration])}`);
    assert.equal(writes, generations);
  });

  it('treats a stale status write as a conflict and requeues without an error', async () => {
    let stale: Widget | undefined;
    rec.behaviour = async (key, ctx, widget) => {
      if (!key.endsWith('/conflict') || !widget) return;
      if (!stale) {
        stale = widget;
        await patchWidgetSpec(ns, 'conflict', { size: 2 }); // someone else writes first
        await ctx.status.update(WIDGETS, stale, { observedGeneration: 1 }); // → 409
      }
    };
    await createWidget(ns, 'conflict');
    await eventually('the retry after the conflict', () => rec.count(`${ns}/conflict`) >= 2);
    const text = await manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_errors_total');
    assert.doesNotMatch(text, /controller="recorder"} [1-9]/, 'a conflict is not an error');
  });
});
