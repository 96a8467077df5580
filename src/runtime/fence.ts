// The write fence: once this replica may no longer lead, nothing it still has in flight may
// write. controller-runtime gets there by exiting the process the moment the lease is lost; we
// also close a fence that every Kubernetes and AWS client checks before a write and whose
// signal aborts calls in flight, so no write can land after a standby could have taken over.
//
// The fence is a deadline, not an event. While leading, every successful renewal moves it to
// (start of that renewal + renew deadline); it closes at that instant on the injected clock
// even if the next renewal is still hanging, because a standby may lead soon after and a
// renewal that has not returned proves nothing. `check()` compares the clock itself, so a
// write sent after the deadline is refused even if the timer has not fired yet (a blocked
// event loop runs timers late, not writes early).
import { systemClock, type Clock, type TimerHandle } from './clock.ts';

/** Thrown (or rejected) for a write attempted after the fence closed. */
export class FencedError extends Error {
  constructor(what: string, reason: unknown) {
    super(`${what} refused: ${reason instanceof Error ? reason.message : 'fence closed'}`);
    this.name = 'FencedError';
  }
}

/** What a client needs of a fence: ask before each send, and a signal to abort calls in flight. */
export interface Fence {
  readonly signal: AbortSignal;
  /** True once writes are refused; reading it past the deadline closes the fence. */
  readonly closed: boolean;
  /** Throws FencedError once closed. */
  check(what: string): void;
}

export class WriteFence implements Fence {
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  /** Epoch ms at which writes close; Infinity until a deadline is set (not leading by election). */
  private until = Infinity;
  private timer: TimerHandle | undefined;
  private closedAtMs: number | undefined;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  /** Aborted when the fence closes; pass it to calls so those in flight stop too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    if (!this.controller.signal.aborted && this.clock.now() >= this.until) this.expire();
    return this.controller.signal.aborted;
  }

  /** The current deadline (epoch ms; Infinity when none is set). */
  get deadline(): number {
    return this.until;
  }

  /** When the fence closed (epoch ms on the injected clock), undefined while open. */
  get closedAt(): number | undefined {
    return this.closedAtMs;
  }

  /**
   * Keeps writes open until `deadline` (epoch ms) and no longer. Called on every successful
   * renewal; a deadline already passed closes the fence, and a closed fence never reopens.
   */
  openUntil(deadline: number): void {
    if (this.closed) return;
    this.until = deadline;
    if (this.closed) return;
    if (this.timer === undefined) this.arm();
  }

  /** Closes the fence for good (leadership lost, or the lease is being released). */
  close(reason: string): void {
    if (this.controller.signal.aborted) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.closedAtMs = this.clock.now();
    this.controller.abort(new Error(reason));
  }

  /** Throws FencedError once closed. */
  check(what: string): void {
    if (this.closed) throw new FencedError(what, this.controller.signal.reason);
  }

  /**
   * One timer at a time: when it fires before a deadline that has moved on since, it re-arms
   * for the rest, instead of clearing and re-creating a timer on every renewal.
   */
  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.arm();
    }, this.until - this.clock.now());
  }

  private expire(): void {
    this.close(`renew deadline passed at ${new Date(this.until).toISOString()}: another replica may be leading`);
  }
}
