// Two runtime instances compete for one Lease on a real API server: exactly one leads and
// runs controllers; when it stops, the other takes over — after the lease expires when the
// leader dies, at the standby's next retry when the leader releases the lease on SIGTERM.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createNamespace, createWidget, delay, eventually, installWidgetCrd, newManager, rest, testConfig, WIDGETS } from './helpers.ts';
import { objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import type { Reconciler } from '../../../src/runtime/reconciler.ts';

interface Lease {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number; renewTime?: string };
}

class Counter implements Reconciler {
  readonly name = 'counter';
  count = 0;
  reconcile(): Promise<void> {
    this.count++;
    return Promise.resolve();
  }
}

interface Instance {
  manager: Manager;
  counter: Counter;
}

function instance(ns: string, leaseId: string, timings: string[]): Instance {
  const config = testConfig(ns, ['--leader-elect=true', `--leader-election-namespace=${ns}`, `--leader-election-id=${leaseId}`, ...timings]);
  const manager = newManager(config);
  const counter = new Counter();
  manager.addController(counter, { for: WIDGETS });
  return { manager, counter };
}

async function getJson(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** Starts two instances, waits for one leader, stops it and measures the standby's takeover. */
async function measureFailover(ns: string, timings: string[], release: boolean): Promise<number> {
  const leaseId = `lease-${randomUUID().slice(0, 6)}`;
  const a = instance(ns, leaseId, timings);
  const b = instance(ns, leaseId, timings);
  await a.manager.start();
  await eventually('a leads', () => a.manager.isLeader());
  await b.manager.start();
  // b has read the Lease and found a holding it: it campaigned and lost, not merely slept.
  await eventually('b sees a leading', () => b.manager.observedLeader() === a.manager.identity);
  assert.equal(b.manager.isLeader(), false);
  const stoppedAt = performance.now();
  await a.manager.stop({ releaseLease: release });
  await eventually('b takes over', () => b.manager.isLeader(), 60_000, 10);
  const failover = Math.round(performance.now() - stoppedAt);
  await b.manager.stop();
  return failover;
}

describe('runtime: leader election (real API server)', function () {
  this.timeout(120_000);
  let ns: string;

  before(async () => {
    await installWidgetCrd();
    ns = await createNamespace('rt-leader');
  });

  it('elects exactly one leader; only it runs controllers; both are ready', async () => {
    const leaseId = 'exactly-one';
    const timings = ['--leader-election-lease-duration=4s', '--leader-election-renew-deadline=3s', '--leader-election-retry-period=500ms'];
    const a = instance(ns, leaseId, timings);
    const b = instance(ns, leaseId, timings);
    try {
      await Promise.all([a.manager.start(), b.manager.start()]);
      await eventually('a leader', () => a.manager.isLeader() || b.manager.isLeader());
      // Exactly one leader at every look, over three renewals of the Lease (observed, not slept).
      const renewals = new Set<string>();
      await eventually('three renewals of the lease', async () => {
        assert.equal(Number(a.manager.isLeader()) + Number(b.manager.isLeader()), 1, 'exactly one leader');
        renewals.add((await rest().get<Lease>(objectPath(Resources.leases, ns, leaseId))).spec?.renewTime ?? '');
        return renewals.size >= 4;
      }, 15_000, 100);
      const [leader, standby] = a.manager.isLeader() ? [a, b] : [b, a];
      assert.equal(standby.manager.observedLeader(), leader.manager.identity, 'the standby campaigned and saw the leader');
      await createWidget(ns, 'elected');
      await eventually('the leader reconciles', () => leader.counter.count > 0);
      // A later object reconciled by the leader and cached by the standby: the standby has had
      // both events, and a controller of its own would have reconciled the first by now.
      await createWidget(ns, 'elected-2');
      await eventually('the leader reconciles the second', () => leader.counter.count > 1);
      await eventually('the standby caches the second', () => standby.manager.informer(WIDGETS).getByKey(`${ns}/elected-2`));
      assert.equal(standby.counter.count, 0, 'the standby runs no controllers');

      const lease = await rest().get<Lease>(objectPath(Resources.leases, ns, leaseId));
      assert.equal(lease.spec?.holderIdentity, leader.manager.identity);
      assert.equal(lease.spec?.leaseDurationSeconds, 4);

      for (const inst of [leader, standby]) {
        const ready = await getJson(`${inst.manager.endpoints?.healthUrl}/readyz`);
        assert.equal(ready.status, 200, `readyz: ${ready.text}`);
        assert.equal((await getJson(`${inst.manager.endpoints?.healthUrl}/healthz`)).status, 200);
      }
      assert.match((await getJson(`${leader.manager.endpoints?.metricsUrl}/metrics`)).text, /^costguard_leader 1$/m);
      assert.match((await getJson(`${standby.manager.endpoints?.metricsUrl}/metrics`)).text, /^costguard_leader 0$/m);
    } finally {
      await Promise.all([a.manager.stop(), b.manager.stop()]);
    }
  });

  it('releases the lease on stop: holder cleared, leaseDurationSeconds 1', async () => {
    const leaseId = `released-${randomUUID().slice(0, 6)}`;
    const a = instance(ns, leaseId, []);
    await a.manager.start();
    await eventually('a leads', () => a.manager.isLeader());
    await a.manager.stop();
    const lease = await rest().get<Lease>(objectPath(Resources.leases, ns, leaseId));
    assert.equal(lease.spec?.holderIdentity, '');
    assert.equal(lease.spec?.leaseDurationSeconds, 1);
  });

  it('on stop, finishes the reconcile in flight, then releases the lease', async () => {
    const leaseId = `drain-${randomUUID().slice(0, 6)}`;
    const config = testConfig(ns, ['--leader-elect=true', `--leader-election-namespace=${ns}`, `--leader-election-id=${leaseId}`]);
    const manager = newManager(config);
    const log: string[] = [];
    manager.addController(
      {
        name: 'slow',
        reconcile: async (key) => {
          if (!key.endsWith('/slow')) return;
          log.push('reconcile started');
          await delay(1500);
          log.push('reconcile finished');
        },
      },
      { for: WIDGETS },
    );
    await manager.start();
    await eventually('leading', () => manager.isLeader());
    await createWidget(ns, 'slow');
    await eventually('reconcile in flight', () => log.includes('reconcile started'));
    const stopping = manager.stop().then(() => log.push('stopped'));
    const during = await rest().get<Lease>(objectPath(Resources.leases, ns, leaseId));
    assert.deepEqual(log, ['reconcile started'], 'the Lease was read while the reconcile was still draining');
    assert.equal(during.spec?.holderIdentity, manager.identity, 'still the leader while draining');
    await stopping;
    assert.deepEqual(log, ['reconcile started', 'reconcile finished', 'stopped']);
    const after = await rest().get<Lease>(objectPath(Resources.leases, ns, leaseId));
    assert.equal(after.spec?.holderIdentity, '');
  });

  const fast = ['--leader-election-lease-duration=4s', '--leader-election-renew-deadline=3s', '--leader-election-retry-period=500ms'];

  it('fails over within the lease time when the leader dies (lease 4s, retry 500ms)', async () => {
    const ms = await measureFailover(ns, fast, false);
    console.log(`      failover_ms=${ms} mode=crash leaseDuration=4s renewDeadline=3s retryPeriod=500ms`);
    assert.ok(ms >= 2500 && ms <= 4000 + 2 * 500 * 2.2 + 1000, `failover took ${ms} ms`);
  });

  it('fails over at the next retry when the leader releases the lease (lease 4s, retry 500ms)', async () => {
    const ms = await measureFailover(ns, fast, true);
    console.log(`      failover_ms=${ms} mode=release leaseDuration=4s renewDeadline=3s retryPeriod=500ms`);
    assert.ok(ms <= 500 * 2.2 + 500, `failover took ${ms} ms`);
  });

  it('fails over with the default timings (lease 15s, renew 10s, retry 2s)', async () => {
    const crash = await measureFailover(ns, [], false);
    console.log(`      failover_ms=${crash} mode=crash leaseDuration=15s renewDeadline=10s retryPeriod=2s`);
    assert.ok(crash >= 13_000 && crash <= 15_000 + 2 * 2000 * 2.2 + 1000, `failover took ${crash} ms`);
    const released = await measureFailover(ns, [], true);
    console.log(`      failover_ms=${released} mode=release leaseDuration=15s renewDeadline=10s retryPeriod=2s`);
    assert.ok(released <= 2000 * 2.2 + 500, `failover took ${released} ms`);
  });
});
