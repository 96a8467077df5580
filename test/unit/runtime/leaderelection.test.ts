import assert from 'node:assert/strict';
import { KubeApiError } from '../../../src/runtime/errors.ts';
import { LeaderElector } from '../../../src/runtime/leaderelection.ts';
import { createLogger, silentLogger } from '../../../src/runtime/logger.ts';
import { FakeClock, flushPromises } from '../../../src/runtime/testing/fake-clock.ts';
import { KubeLeaseLock, LeaseNamespaceMissingError, type LeaderElectionRecord, type LeaseLock, type LockState } from '../../../src/runtime/lease-lock.ts';
import type { RestClient } from '../../../src/runtime/kube/rest.ts';

/**
 * A Lease in memory with the API server's optimistic concurrency; `down` makes calls fail,
 * `hang` makes them wait until their signal aborts (an API server that stopped answering).
 */
class MemoryLock implements LeaseLock {
  state: LockState | undefined;
  down = false;
  hang = false;
  /** Calls that hung and were then aborted by their signal. */
  abortedCalls = 0;
  private rv = 0;

  describe(): string {
    return 'memory/lease';
  }

  get(signal?: AbortSignal): Promise<LockState | undefined> {
    if (this.hang) return this.hangUntilAborted(signal);
    if (this.down) return Promise.reject(new Error('connection refused'));
    return Promise.resolve(this.state && structuredClone(this.state));
  }

  private hangUntilAborted<T>(signal: AbortSignal | undefined): Promise<T> {
    return new Promise((_resolve, reject) => {
      signal?.addEventListener('abort', () => {
        this.abortedCalls += 1;
        reject(signal.reason as Error);
      }, { once: true });
    });
  }

  create(record: LeaderElectionRecord): Promise<string> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    if (this.state) return Promise.reject(new KubeApiError(409, 'exists'));
    this.state = { record: { ...record }, resourceVersion: String(++this.rv) };
    return Promise.resolve(this.state.resourceVersion);
  }

  update(record: LeaderElectionRecord, resourceVersion: string): Promise<string> {
    if (this.down) return Promise.reject(new Error('connection refused'));
    if (this.state?.resourceVersion !== resourceVersion) return Promise.reject(new KubeApiError(409, 'conflict'));
    this.state = { record: { ...record }, resourceVersion: String(++this.rv) };
    return Promise.resolve(this.state.resourceVersion);
  }
}

interface Candidate {
  elector: LeaderElector;
  started: number[];
  lost: number[];
  /** Each deadline handed to onRenewed, in order. */
  deadlines: number[];
  done: Promise<void>;
}

function candidate(lock: LeaseLock, clock: FakeClock, identity: string): Candidate {
  const started: number[] = [];
  const lost: number[] = [];
  const deadlines: number[] = [];
  const elector = new LeaderElector({
    lock,
    identity,
    clock,
    log: silentLogger(),
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2000,
    onStartedLeading: () => started.push(clock.now()),
    onStoppedLeading: () => lost.push(clock.now()),
    onRenewed: (deadline) => deadlines.push(deadline),
    random: () => 0.5,
  });
  return { elector, started, lost, deadlines, done: elector.run() };
}

describe('LeaderElector', () => {
  it('one candidate acquires a missing lease; the other stays standby while it is renewed', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, 'a');
    await flushPromises();
    const b = candidate(lock, clock, 'b');
    await clock.advance(60_000);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.isLeader(), false);
    assert.equal(b.elector.leader(), 'a');
    assert.equal(lock.state?.record.holderIdentity, 'a');
    assert.equal(lock.state?.record.leaseDurationSeconds, 15);
    assert.ok(clock.now() - (lock.state?.record.renewTime ?? 0) <= 2000, 'renewed every retryPeriod');
    await a.elector.stop();
    await b.elector.stop();
  });

  it('without release, a standby takes over only after the lease duration', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, 'a');
    await flushPromises();
    const b = candidate(lock, clock, 'b');
    await clock.advance(30_000);
    const stoppedAt = clock.now();
    await a.elector.stop({ release: false });
    await clock.advance(60_000);
    const failover = (b.started[0] ?? Infinity) - stoppedAt;
    assert.ok(failover >= 15_000 - 2000 && failover <= 15_000 + 2 * 2000 * 2.2, `failover took ${failover} ms`);
    assert.equal(lock.state?.record.holderIdentity, 'b');
    assert.equal(lock.state?.record.leaseTransitions, 1);
    await b.elector.stop();
  });

  it('with release, a standby takes over at its next retry', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, 'a');
    await flushPromises();
    const b = candidate(lock, clock, 'b');
    await clock.advance(30_000);
    const stoppedAt = clock.now();
    await a.elector.stop();
    assert.equal(lock.state?.record.holderIdentity, '');
    assert.equal(lock.state?.record.leaseDurationSeconds, 1);
    await clock.advance(10_000);
    const failover = (b.started[0] ?? Infinity) - stoppedAt;
    assert.ok(failover <= 2000 * 2.2, `failover took ${failover} ms`);
    assert.equal(a.lost.length, 0, 'a voluntary stop is not a loss');
    await b.elector.stop();
  });

  it('gives up leadership when renewals fail past the renew deadline, before the lease expires', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, 'a');
    await clock.advance(10_000);
    const lastRenew = lock.state?.record.renewTime ?? 0;
    lock.down = true;
    await clock.advance(20_000);
    await a.done;
    assert.equal((a.lost[0] ?? Infinity) - lastRenew, 10_000, 'lost exactly at the last renewal + renewDeadline');
    assert.equal(a.elector.isLeader(), false);
  });

  it('loses leadership at the renew deadline while a renewal call hangs, and aborts that call', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = candidate(lock, clock, 'a');
    await clock.advance(10_000);
    const lastRenew = lock.state?.record.renewTime ?? 0;
    assert.equal(a.deadlines.at(-1), lastRenew + 10_000, 'each renewal hands on its start + renewDeadline');
    lock.hang = true;
    await clock.advance(10_000 - (clock.now() - lastRenew) - 1);
    assert.deepEqual(a.lost, [], 'still leading 1 ms before the deadline');
    await clock.advance(1);
    assert.deepEqual(a.lost, [lastRenew + 10_000], 'lost at the deadline, not when the hanging call returns');
    assert.equal(lock.abortedCalls, 1, 'the renewal in flight was aborted');
    await a.done;
    assert.equal(a.deadlines.at(-1), lastRenew + 10_000, 'no deadline handed on after the loss');
  });

  it('does not count a renewal that answers after the deadline', async () => {
    const clock = new FakeClock();
    const slow = new MemoryLock();
    const a = candidate(slow, clock, 'a');
    await clock.advance(2_000);
    const lastRenew = slow.state?.record.renewTime ?? 0;
    // Every later update lands on the server but answers 12 s late, past the 10 s deadline.
    const update = slow.update.bind(slow);
    slow.update = (record, rv) => update(record, rv).then((v) => new Promise((resolve) => clock.setTimeout(() => resolve(v), 12_000)));
    await clock.advance(15_000);
    await a.done;
    assert.deepEqual(a.lost, [lastRenew + 10_000]);
    assert.equal(a.deadlines.at(-1), lastRenew + 10_000);
  });

  it('rejects timings that cannot work', () => {
    const base = { lock: new MemoryLock(), identity: 'x', clock: new FakeClock(), log: silentLogger(), onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 }), TypeError);
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 15_000, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), TypeError);
  });
});

describe('leader election without the Lease namespace (out of cluster)', () => {
  /** A lock whose namespace is missing until `create` is set back to the memory lock's. */
  class NoNamespaceLock extends MemoryLock {
    missing = true;
    override create(record: LeaderElectionRecord): Promise<string> {
      return this.missing ? Promise.reject(new LeaseNamespaceMissingError('costguard-system')) : super.create(record);
    }
  }

  function capture(): { log: ReturnType<typeof createLogger>; lines: { level: number; msg: string }[] } {
    const lines: { level: number; msg: string }[] = [];
    const log = createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
    return { log, lines };
  }

  it('logs one error naming the namespace and the flag to set, not a warning every retry, and acquires once it exists', async () => {
    const clock = new FakeClock();
    const lock = new NoNamespaceLock();
    const { log, lines } = capture();
    const started: number[] = [];
    const elector = new LeaderElector({
      lock, identity: 'a', clock, log, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000,
      onStartedLeading: () => started.push(clock.now()), onStoppedLeading: () => {}, random: () => 0.5,
    });
    const done = elector.run();
    await clock.advance(30_000);
    const errors = lines.filter((l) => l.level >= 50);
    assert.equal(errors.length, 1, JSON.stringify(lines));
    assert.match(errors[0]!.msg, /namespace "costguard-system" does not exist/);
    assert.match(errors[0]!.msg, /--leader-election-namespace/);
    assert.equal(lines.filter((l) => l.level === 40).length, 0, 'no warning per retry');
    assert.ok(lines.filter((l) => l.msg === 'leader lease namespace still missing').length >= 5, 'still retrying');
    lock.missing = false;
    await clock.advance(5000);
    assert.equal(started.length, 1);
    await elector.stop();
    await done;
  });

  it('KubeLeaseLock turns a 404 on create into that error', async () => {
    const rest = { create: () => Promise.reject(new KubeApiError(404, 'namespaces "costguard-system" not found')) } as unknown as RestClient;
    await assert.rejects(new KubeLeaseLock(rest, 'costguard-system', 'costguard-operator').create({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaseTransitions: 0 }), LeaseNamespaceMissingError);
  });

  it('KubeLeaseLock passes other errors on (a conflict stays a conflict)', async () => {
    const rest = { create: () => Promise.reject(new KubeApiError(409, 'exists')) } as unknown as RestClient;
    await assert.rejects(new KubeLeaseLock(rest, 'ns', 'l').create({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaseTransitions: 0 }), (e: unknown) => e instanceof KubeApiError && e.statusCode === 409);
  });
});
