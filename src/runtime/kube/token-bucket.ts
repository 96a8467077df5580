// Client-side rate limit on API server requests, as client-go's (QPS 5, burst 10;
// controller-runtime raises it to 20/30, Karpenter to 200/300): a token bucket that refills
// at `qps` up to `burst`, so a burst of reconciles after a resync spreads out instead of
// hammering the API server and drawing 429s from its priority and fairness limits.
//
// Unlike client-go's limiter, waiters are served by priority, then in order of arrival:
// a write that protects (a hold or clamp on a workload or NodePool, a finalizer) must not
// queue behind a thousand status writes and events after a resync. `high` takes a token
// before any `normal` waiter, `normal` before any `low`. Low-priority requests (events) are
// also dropped rather than queued once `maxLowWaiting` of them wait: under pressure an event
// is worth less than the writes it would delay, and the recorder never fails a reconcile.
import type { Clock, TimerHandle } from '../clock.ts';

export type Priority = 'high' | 'normal' | 'low';

const ORDER: readonly Priority[] = ['high', 'normal', 'low'];

export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Most tokens held at once: how many requests may go out back to back. */
  burst: number;
  clock: Clock;
  /** Low-priority requests allowed to wait at once; more are dropped (default: burst). */
  maxLowWaiting?: number;
}

/** Rejects a low-priority request that was dropped instead of queued (the limiter is saturated). */
export class RateLimitedError extends Error {
  constructor() {
    super('dropped by the client-side rate limit: the API client is saturated and this request is low priority');
    this.name = 'RateLimitedError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  detach: () => void;
}

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private readonly maxLowWaiting: number;
  private readonly queues: Record<Priority, Waiter[]> = { high: [], normal: [], low: [] };
  private tokens: number;
  private last: number;
  private timer: TimerHandle | undefined;
  private droppedCount = 0;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.qps > 0) || !Number.isInteger(opts.burst) || opts.burst < 1) throw new TypeError(`token bucket needs qps > 0 and an integer burst >= 1, got qps ${opts.qps}, burst ${opts.burst}`);
    this.qps = opts.qps;
    this.burst = opts.burst;
    this.clock = opts.clock;
    this.maxLowWaiting = opts.maxLowWaiting ?? opts.burst;
    this.tokens = opts.burst;
    this.last = opts.clock.now();
  }

  /**
   * Resolves when the caller may send one request. Rejects with the signal's reason if it
   * aborts while waiting (its place is given up), and with RateLimitedError for a `low`
   * request that finds `maxLowWaiting` others of its class already waiting.
   */
  take(signal?: AbortSignal, priority: Priority = 'normal'): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.refill();
    if (this.tokens >= 1 && this.waiting() === 0) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    if (priority === 'low' && this.queues.low.length >= this.maxLowWaiting) {
      this.droppedCount += 1;
      return Promise.reject(new RateLimitedError());
    }
    return this.enqueue(priority, signal);
  }

  /** Tokens available now, minus the requests waiting (negative: that many wait). For tests and metrics. */
  available(): number {
    this.refill();
    return this.tokens - this.waiting();
  }

  /** Requests waiting for a token, by priority. */
  pending(): Record<Priority, number> {
    return { high: this.queues.high.length, normal: this.queues.normal.length, low: this.queues.low.length };
  }

  /** Low-priority requests dropped so far. */
  get dropped(): number {
    return this.droppedCount;
  }

  private enqueue(priority: Priority, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.queues[priority];
      const onAbort = (): void => {
        queue.splice(queue.indexOf(waiter), 1);
        if (this.waiting() === 0) this.disarm();
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.arm();
    });
  }

  /** Hands the tokens that have accrued to waiters, highest priority first, then re-arms. */
  private dispatch(): void {
    this.timer = undefined;
    this.refill();
    while (this.tokens >= 1) {
      const next = ORDER.map((p) => this.queues[p]).find((q) => q.length > 0)?.shift();
      if (!next) break;
      this.tokens -= 1;
      next.detach();
      next.resolve();
    }
    this.arm();
  }

  /** One timer, due when the next whole token accrues; none while nobody waits. */
  private arm(): void {
    if (this.timer !== undefined || this.waiting() === 0) return;
    const waitMs = Math.max(0, Math.ceil(((1 - this.tokens) / this.qps) * 1000));
    this.timer = this.clock.setTimeout(() => this.dispatch(), waitMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private waiting(): number {
    return this.queues.high.length + this.queues.normal.length + this.queues.low.length;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
