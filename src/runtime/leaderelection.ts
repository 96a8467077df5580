// Leader election on a Lease, following client-go's leaderelection package:
// - candidates try to acquire every retryPeriod (jittered); a lease held by someone else is
//   valid until leaseDuration after *we* last saw its record change (our clock, not theirs,
//   so clock skew between nodes does not matter);
// - the leader renews every retryPeriod and gives up when no renewal succeeded within
//   renewDeadline (it must stop acting before a standby may take over at leaseDuration).
//   The deadline is a timer, not a check after each attempt: a renewal still hanging at
//   (start of the last successful renewal + renewDeadline) is aborted and leadership is lost
//   then, as client-go bounds its renew with a context deadline. `onRenewed` hands each new
//   deadline to the write fence, so writes close at that instant too;
// - on stop the leader releases: holderIdentity '' and leaseDurationSeconds 1, so a standby
//   takes over at its next retry instead of waiting out the lease.
import { jitter, sleep, type Clock, type TimerHandle } from './clock.ts';
import { errorMessage, isConflict } from './errors.ts';
import { LeaseNamespaceMissingError, type LeaderElectionRecord, type LeaseLock } from './lease-lock.ts';
import type { Logger } from './logger.ts';

export interface LeaderElectorOptions {
  lock: LeaseLock;
  identity: string;
  clock: Clock;
  log: Logger;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  /**
   * A renewal (or the acquisition) succeeded: leading is safe until `deadline` (epoch ms on
   * the clock: the start of that attempt + renewDeadline) unless renewed again. Called
   * before onStartedLeading for the acquisition.
   */
  onRenewed?: (deadline: number) => void;
  /** Leadership was lost (renewal failed), not given up through stop(). */
  onStoppedLeading: () => void;
  onNewLeader?: (identity: string) => void;
  random?: () => number;
}

export class LeaderElector {
  private readonly o: LeaderElectorOptions;
  private readonly stopSignal = new AbortController();
  private observed: LeaderElectionRecord | undefined;
  private observedTime = 0;
  private resourceVersion = '';
  private lastRenew = 0;
  private leading = false;
  private loop: Promise<void> | undefined;
  /** The missing namespace already reported: the error is logged once, not every retry. */
  private reportedMissing = '';

  constructor(opts: LeaderElectorOptions) {
    if (!(opts.leaseDurationMs > opts.renewDeadlineMs && opts.renewDeadlineMs > opts.retryPeriodMs * 1.2)) {
      throw new TypeError('leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod');
    }
    this.o = opts;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The identity in the last record seen ('' when unknown or released). */
  leader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /** Campaigns, then leads until stopped or until a renewal deadline is missed. */
  run(): Promise<void> {
    this.loop ??= this.campaign();
    return this.loop;
  }

  /** Stops campaigning or leading; with `release` (default) a held lease is handed back. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    const wasLeading = this.leading;
    this.stopSignal.abort();
    await this.loop;
    this.leading = false;
    if (wasLeading && (opts.release ?? true)) await this.release();
  }

  private get stopped(): boolean {
    return this.stopSignal.signal.aborted;
  }

  private async campaign(): Promise<void> {
    this.o.log.info({ lock: this.o.lock.describe(), identity: this.o.identity }, 'attempting to acquire leader lease');
    while (!this.stopped && !(await this.tryWithin(this.o.clock.now() + this.o.renewDeadlineMs))) {
      await sleep(this.o.clock, jitter(this.o.retryPeriodMs, 1.2, this.o.random), this.stopSignal.signal);
    }
    if (this.stopped) return;
    this.leading = true;
    this.o.log.info({ lock: this.o.lock.describe(), identity: this.o.identity }, 'acquired leader lease');
    this.o.onStartedLeading();
    await this.renewLoop();
    if (this.stopped) return;
    this.leading = false;
    this.o.log.error({ lock: this.o.lock.describe(), renewDeadlineMs: this.o.renewDeadlineMs }, 'leader lease lost: renewal deadline passed');
    this.o.onStoppedLeading();
  }

  /** Renews every retryPeriod until stopped, or until the renew deadline passes (lost). */
  private async renewLoop(): Promise<void> {
    for (;;) {
      const deadline = this.lastRenew + this.o.renewDeadlineMs;
      const bound = deadlineSignal(this.o.clock, deadline, this.stopSignal.signal);
      try {
        await sleep(this.o.clock, this.o.retryPeriodMs, bound.signal);
        if (this.stopped || this.o.clock.now() >= deadline) return;
        await this.tryWithin(deadline, bound.signal);
      } finally {
        bound.cancel();
      }
    }
  }

  /**
   * One acquire or renew attempt that must finish before `deadline`: the lease calls are
   * aborted then, and an answer that comes later does not count (the fence has closed).
   */
  private async tryWithin(deadline: number, bound?: AbortSignal): Promise<boolean> {
    const own = bound ? undefined : deadlineSignal(this.o.clock, deadline, this.stopSignal.signal);
    const startedAt = this.o.clock.now();
    try {
      const signal = bound ?? own!.signal;
      // Raced as well as passed on: a call that ignores its signal must not hold us past the deadline.
      const ok = await untilAborted(this.tryAcquireOrRenew(startedAt, signal), signal);
      if (!ok || this.o.clock.now() >= deadline) return false;
      this.lastRenew = startedAt;
      this.o.onRenewed?.(startedAt + this.o.renewDeadlineMs);
      return true;
    } finally {
      own?.cancel();
    }
  }

  private async tryAcquireOrRenew(now: number, signal: AbortSignal): Promise<boolean> {
    try {
      return await this.attempt(now, signal);
    } catch (err) {
      this.report(err);
      return false;
    }
  }

  /** A conflict is routine; a missing namespace is one error (then debug until it changes); the rest warn. */
  private report(err: unknown): void {
    const fields = { lock: this.o.lock.describe(), error: errorMessage(err) };
    if (err instanceof LeaseNamespaceMissingError) {
      const first = this.reportedMissing !== err.namespace;
      this.reportedMissing = err.namespace;
      this.o.log[first ? 'error' : 'debug'](fields, first ? err.message : 'leader lease namespace still missing');
      return;
    }
    this.o.log[isConflict(err) ? 'debug' : 'warn'](fields, 'leader lease acquire/renew failed');
  }

  private async attempt(now: number, signal: AbortSignal): Promise<boolean> {
    const desired: LeaderElectionRecord = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    const current = await this.o.lock.get(signal);
    if (!current) {
      this.resourceVersion = await this.o.lock.create(desired, signal);
      return this.succeeded(desired, now);
    }
    this.observe(current.record, now);
    const held = current.record;
    if (held.holderIdentity !== this.o.identity && held.holderIdentity !== '' && this.observedTime + held.leaseDurationSeconds * 1000 > now) {
      return false;
    }
    if (held.holderIdentity === this.o.identity) {
      desired.acquireTime = held.acquireTime;
      desired.leaseTransitions = held.leaseTransitions;
    } else {
      desired.leaseTransitions = held.leaseTransitions + 1;
    }
    this.resourceVersion = await this.o.lock.update(desired, current.resourceVersion, signal);
    return this.succeeded(desired, now);
  }

  private succeeded(record: LeaderElectionRecord, now: number): boolean {
    this.reportedMissing = '';
    this.observe(record, now);
    return true;
  }

  private observe(record: LeaderElectionRecord, now: number): void {
    const o = this.observed;
    const changed = !o || o.holderIdentity !== record.holderIdentity || o.renewTime !== record.renewTime || o.leaseTransitions !== record.leaseTransitions;
    if (!changed) return;
    if (o?.holderIdentity !== record.holderIdentity && record.holderIdentity) this.o.onNewLeader?.(record.holderIdentity);
    this.observed = record;
    this.observedTime = now;
  }

  private async release(): Promise<void> {
    const now = this.o.clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observed?.leaseTransitions ?? 0,
    };
    try {
      await this.o.lock.update(record, this.resourceVersion);
      this.o.log.info({ lock: this.o.lock.describe() }, 'released leader lease');
    } catch (err) {
      this.o.log.warn({ lock: this.o.lock.describe(), error: errorMessage(err) }, 'could not release leader lease; a standby takes over when it expires');
    }
  }
}

/** A signal aborted at `at` on the clock, or when `parent` aborts; cancel() clears its timer. */
function deadlineSignal(clock: Clock, at: number, parent: AbortSignal): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const onParent = (): void => controller.abort(parent.reason);
  const timer: TimerHandle = clock.setTimeout(() => controller.abort(new Error('renew deadline passed')), at - clock.now());
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    cancel: () => {
      clock.clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/** `work`'s result, or false as soon as `signal` aborts (the work is left to fail on its own). */
function untilAborted(work: Promise<boolean>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((ok) => {
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    });
  });
}
