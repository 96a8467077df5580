// Leadership loss stops writes at once: two operators share a lease; the leader's renewals are
// blocked (the standby holds the lease), and a reconcile the old leader still has in flight is
// refused its write and aborted. No write from the old leader lands after its renew deadline.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { FencedError } from '../../../src/runtime/fence.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { ReconcileContext, Reconciler } from '../../../src/runtime/reconciler.ts';
import { createNamespace, createWidget, eventually, getWidget, installWidgetCrd, newManager, rest, testConfig, WIDGETS } from './helpers.ts';

/** Holds its first reconcile at a gate, then tries one write; records how that went. */
class GatedWriter implements Reconciler {
  readonly name = 'gated-writer';
  started = false;
  aborted = false;
  outcome: unknown;
  private open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  private manager: Manager | undefined;

  bind(manager: Manager): void {
    this.manager = manager;
  }

  release(): void {
    this.open();
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.gate;
    this.aborted = ctx.signal.aborted;
    const [namespace = '', name = ''] = key.split('/');
    try {
      await this.manager!.rest.patch(objectPath(WIDGETS, namespace, name), { spec: { size: 99 } }, ContentType.mergePatch, { signal: ctx.signal });
      this.outcome = 'written';
    } catch (err) {
      this.outcome = err;
    }
  }
}

describe('runtime: leadership loss stops writes at once (real API server)', function () {
  this.timeout(60_000);
  let ns: string;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-fence');
  });

  it('the old leader\'s in-flight reconcile is aborted and its write refused after the renew deadline', async () => {
    const leaseId = `fence-${randomUUID().slice(0, 6)}`;
    const timings = ['--leader-election-lease-duration=4s', '--leader-election-renew-deadline=3s', '--leader-election-retry-period=500ms'];
    const config = () => testConfig(ns, ['--leader-elect=true', `--leader-election-namespace=${ns}`, `--leader-election-id=${leaseId}`, ...timings]);
    const a = newManager(config(), { identity: 'a' });
    const b = newManager(config(), { identity: 'b' });
    const writer = new GatedWriter();
    writer.bind(a);
    a.addController(writer, { for: WIDGETS });
    b.addController({ name: 'idle', reconcile: () => Promise.resolve() }, { for: WIDGETS });
    await createWidget(ns, 'w', { size: 1 });
    try {
      await a.start();
      await eventually('a leads and is reconciling', () => a.isLeader() && writer.started);
      await b.start();
      // Block a's renewals: the lease now names b, fresh, so a cannot renew it.
      const leasePath = objectPath(Resources.leases, ns, leaseId);
      await rest().patch(leasePath, { spec: { holderIdentity: 'b', renewTime: new Date().toISOString().replace('Z', '000Z') } }, ContentType.mergePatch);
      const blockedAt = Date.now();
      await eventually('a gives up leadership after its renew deadline', () => a.fence.closed, 20_000);
      assert.ok(Date.now() - blockedAt >= 2_500, 'not before the renew deadline');
      writer.release();
      await eventually('the write attempt finished', () => writer.outcome !== undefined);
      assert.ok(writer.outcome instanceof FencedError, `expected the write to be refused, got ${String(writer.outcome)}`);
      assert.equal(writer.aborted, true, 'ctx.signal was aborted at once');
      assert.equal((await getWidget(ns, 'w')).spec?.size, 1, 'no write from the old leader');
      assert.equal(await a.done, 'leadership-lost');
      await eventually('b leads', () => b.isLeader());
    } finally {
      writer.release();
      await a.stop();
      await b.stop();
    }
  });
});
