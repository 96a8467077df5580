// Finalizers and events against a real API server: a finalizer holds a deleted object until
// the controller removes it; stale writes are 409 conflicts; events land in events.k8s.io/v1.
import assert from 'node:assert/strict';
import { createNamespace, createWidget, eventually, getWidget, installWidgetCrd, kubectl, newManager, patchWidgetSpec, rest, testConfig, WIDGETS, type Widget } from './helpers.ts';
import { isConflict, isNotFound } from '../../../src/runtime/errors.ts';
import { normalEvent, objectReference } from '../../../src/runtime/events.ts';
import { ensureFinalizer, isBeingDeleted, removeFinalizer } from '../../../src/runtime/finalizers.ts';
import { collectionPath, Resources } from '../../../src/runtime/kube/resource.ts';
import type { ReconcileContext, Reconciler } from '../../../src/runtime/reconciler.ts';
import type { Manager } from '../../../src/runtime/manager.ts';

const FINALIZER = 'test.costguard.io/cleanup';

/** A tiny controller: adds the finalizer, and on delete "cleans up" and removes it. */
class Finalizing implements Reconciler {
  readonly name = 'finalizing';
  cleanedUp: string[] = [];
  manager: Manager | undefined;

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    const widget = this.manager?.informer<Widget>(WIDGETS).getByKey(key);
    if (!widget) return;
    if (isBeingDeleted(widget)) {
      this.cleanedUp.push(key);
      await removeFinalizer(this.manager!.rest, WIDGETS, widget, FINALIZER);
      return;
    }
    await ensureFinalizer(this.manager!.rest, WIDGETS, widget, FINALIZER);
    await ctx.events.publish(normalEvent(objectReference(WIDGETS, widget), 'Guarded', 'Finalizer in place.'));
  }
}

describe('runtime: finalizers and events (real API server)', function () {
  this.timeout(60_000);
  let ns: string;
  let manager: Manager;
  let ctrl: Finalizing;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-final');
    ctrl = new Finalizing();
    manager = newManager(testConfig(ns));
    ctrl.manager = manager;
    manager.addController(ctrl, { for: WIDGETS });
    await manager.start();
  });

  after(async () => {
    await manager.stop();
  });

  it('adds the finalizer, holds the deleted object until cleanup, then lets it go', async () => {
    await createWidget(ns, 'guarded');
    await eventually('finalizer added', async () => (await getWidget(ns, 'guarded')).metadata?.finalizers?.includes(FINALIZER));
    await kubectl(['delete', 'widget.test.costguard.io', 'guarded', '-n', ns, '--wait=false']);
    await eventually('object gone', async () => {
      try {
        await getWidget(ns, 'guarded');
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    });
    assert.deepEqual(ctrl.cleanedUp, [`${ns}/guarded`]);
  });

  it('keeps finalizers it does not own, and is a no-op when already done', async () => {
    const w = await createWidget(ns, 'shared');
    await kubectl(['patch', 'widget.test.costguard.io', 'shared', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":["other.io/keep"]}}']);
    await eventually('ours added next to theirs', async () => (await getWidget(ns, 'shared')).metadata?.finalizers?.length === 2);
    const current = await getWidget(ns, 'shared');
    assert.deepEqual(current.metadata?.finalizers, ['other.io/keep', FINALIZER]);
    assert.equal(await ensureFinalizer(rest(), WIDGETS, current, FINALIZER), current, 'no request when present');
    assert.ok(w.metadata?.uid);
  });

  it('rejects a finalizer write from a stale read with a 409 conflict', async () => {
    await createWidget(ns, 'racy');
    await eventually('finalizer added', async () => (await getWidget(ns, 'racy')).metadata?.finalizers?.includes(FINALIZER));
    const stale = await getWidget(ns, 'racy');
    await patchWidgetSpec(ns, 'racy', { size: 9 });
    await assert.rejects(removeFinalizer(rest(), WIDGETS, stale, FINALIZER), (err) => isConflict(err));
  });

  it('publishes events.k8s.io/v1 events for the object, once per 2 minutes', async () => {
    await createWidget(ns, 'noisy');
    await eventually('finalizer added', async () => (await getWidget(ns, 'noisy')).metadata?.finalizers?.includes(FINALIZER));
    const events = await eventually('an event', async () => {
      const list = await rest().get<{ items: Array<{ reason: string; note: string; reportingController: string; reportingInstance: string; regarding: { name: string } }> }>(
        collectionPath(Resources.events, ns),
      );
      const mine = list.items.filter((e) => e.regarding.name === 'noisy');
      return mine.length > 0 ? mine : undefined;
    });
    assert.equal(events.length, 1, 'the second reconcile (finalizer write) deduped the event');
    assert.deepEqual(
      { reason: events[0]?.reason, note: events[0]?.note, ctrl: events[0]?.reportingController, inst: events[0]?.reportingInstance },
      { reason: 'Guarded', note: 'Finalizer in place.', ctrl: 'costguard.io/operator', inst: 'it' },
    );
  });
});
