import assert from 'node:assert/strict';
import { flushPromises } from '../../../src/runtime/testing/fake-clock.ts';
import { deferred, metricValue, testController } from './fixtures.ts';

describe('Controller reconcile loop', () => {
  it('requeues a failing key with exponential backoff: 5, 10, 20, 40 ms', async () => {
    const { clock, reconciler, controller } = testController();
    reconciler.on('ns/a', 'error', 'error', 'error', 'error');
    controller.start();
    controller.enqueue('ns/a');
    await clock.advance(1000);
    const at = reconciler.callsFor('ns/a');
    const start = at[0] ?? 0;
    assert.deepEqual(
      at.map((t) => t - start),
      [0, 5, 15, 35, 75],
    );
    await controller.stop(1000);
  });

  it('forgets the backoff after a success', async () => {
    const { clock, reconciler, controller } = testController();
    reconciler.on('k', 'error', 'error', 'ok', 'error');
    controller.start();
    controller.enqueue('k');
    await clock.advance(100); // 3 calls: error, error (+5), ok (+10)
    assert.equal(reconciler.callsFor('k').length, 3);
    assert.equal(controller.queue.numRequeues('k'), 0);
    controller.enqueue('k'); // fails again: back to 5 ms, not 20 ms
    await clock.advance(0);
    const before = clock.now();
    await clock.advance(5);
    assert.equal(reconciler.callsFor('k').at(-1), before + 5);
    await controller.stop(1000);
  });

  it('records a TerminalError and does not retry it', async () => {
    const { clock, reconciler, controller, metrics } = testController();
    reconciler.on('k', 'terminal');
    controller.start();
    controller.enqueue('k');
    await clock.advance(10_000_000);
    assert.equal(reconciler.callsFor('k').length, 1);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(await metricValue(metrics, 'costguard_reconcile_errors_total', { controller: 'test' }), 1);
    assert.equal(await metricValue(metrics, 'costguard_reconcile_total', { controller: 'test', result: 'error' }), 1);
    await controller.stop(1000);
  });

  it('honours requeueAfter and resets the backoff', async () => {
    const { clock, reconciler, controller, metrics } = testController();
    reconciler.on('k', 'error', 'error', { requeueAfter: 30_000 }, 'error');
    controller.start();
    controller.enqueue('k');
    await clock.advance(15); // error, error
    await clock.advance(0);
    const at = reconciler.callsFor('k');
    assert.equal(at.length, 3);
    await clock.advance(29_999);
    assert.equal(reconciler.callsFor('k').length, 3);
    await clock.advance(1);
    assert.equal(reconciler.callsFor('k').length, 4);
    assert.equal(controller.queue.numRequeues('k'), 1, 'the error after requeueAfter starts from the first step');
    assert.equal(await metricValue(metrics, 'costguard_reconcile_total', { controller: 'test', result: 'requeue_after' }), 1);
    await controller.stop(1000);
  });

  it('requeues on a 409 conflict without counting an error', async () => {
    const { clock, reconciler, controller, metrics } = testController();
    reconciler.on('k', 'conflict');
    controller.start();
    controller.enqueue('k');
    await clock.advance(5);
    assert.equal(reconciler.callsFor('k').length, 2);
    assert.equal(await metricValue(metrics, 'costguard_reconcile_errors_total', { controller: 'test' }), 0);
    assert.equal(await metricValue(metrics, 'costguard_reconcile_total', { controller: 'test', result: 'requeue' }), 1);
    assert.equal(await metricValue(metrics, 'costguard_reconcile_total', { controller: 'test', result: 'success' }), 1);
    await controller.stop(1000);
  });

  it('requeue: true goes through the rate limiter', async () => {
    const { clock, reconciler, controller } = testController();
    reconciler.on('k', { requeue: true }, { requeue: true });
    controller.start();
    controller.enqueue('k');
    await clock.advance(100);
    const at = reconciler.callsFor('k');
    assert.deepEqual(
      at.map((t) => t - (at[0] ?? 0)),
      [0, 5, 15],
    );
    await controller.stop(1000);
  });

  it('bounds concurrency and never runs one key twice at once', async () => {
    const { clock, reconciler, controller } = testController({ concurrency: 3 });
    const gate = deferred();
    for (let i = 0; i < 10; i++) reconciler.on(`k${i}`, { hold: gate.promise });
    controller.start();
    for (let i = 0; i < 10; i++) controller.enqueue(`k${i}`);
    controller.enqueue('k0'); // while k0 is in flight
    await clock.advance(0);
    assert.equal(reconciler.active, 3);
    gate.resolve();
    await clock.advance(0);
    await flushPromises();
    assert.equal(reconciler.maxActive, 3);
    assert.equal(reconciler.overlapped, false);
    assert.equal(reconciler.callsFor('k0').length, 2, 'the re-add during processing ran once after done');
    assert.equal(reconciler.calls.length, 11);
    await controller.stop(1000);
  });

  it('gives each reconcile a context with its own id and a child logger', async () => {
    const { clock, reconciler, controller } = testController();
    controller.start();
    controller.enqueue('ns/a');
    await clock.advance(0);
    controller.enqueue('ns/a');
    await clock.advance(0);
    const [first, second] = reconciler.calls;
    assert.ok(first && second);
    assert.notEqual(first.ctx.reconcileID, second.ctx.reconcileID);
    assert.equal(first.ctx.controller, 'test');
    assert.equal(first.ctx.signal.aborted, false);
    await controller.stop(1000);
  });

  it('stop waits for reconciles in flight and takes no new keys', async () => {
    const { clock, reconciler, controller } = testController();
    const gate = deferred();
    reconciler.on('a', { hold: gate.promise });
    controller.start();
    controller.enqueue('a');
    controller.enqueue('b');
    await clock.advance(0);
    let stopped: boolean | undefined;
    const stopping = controller.stop(10_000).then((ok) => (stopped = ok));
    await clock.advance(1000);
    assert.equal(stopped, undefined, 'still draining');
    gate.resolve();
    await stopping;
    assert.equal(stopped, true);
    assert.deepEqual(
      reconciler.calls.map((c) => c.key),
      ['a'],
      'b was queued but never started',
    );
  });

  it('stop gives up at the deadline and aborts the reconcile signal', async () => {
    const { clock, reconciler, controller } = testController();
    const gate = deferred();
    reconciler.on('a', { hold: gate.promise });
    controller.start();
    controller.enqueue('a');
    await clock.advance(0);
    let stopped: boolean | undefined;
    const stopping = controller.stop(5000).then((ok) => (stopped = ok));
    await clock.advance(5000);
    await stopping;
    assert.equal(stopped, false, 'stop returns at the deadline although the reconcile still runs');
    assert.equal(reconciler.calls[0]?.ctx.signal.aborted, true);
    gate.resolve();
  });
});
