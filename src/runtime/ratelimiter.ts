// client-go's workqueue rate limiters. The default controller limiter is the max of a
// per-key exponential backoff (one bad object backs off alone) and an overall token bucket
// (a burst of failures across many objects cannot hammer the API server).
import type { Clock } from './clock.ts';

export interface RateLimiter {
  /** How long to wait before the key may be processed again; records one more failure. */
  when(key: string): number;
  /** Stops tracking the key (call on success). */
  forget(key: string): void;
  /** How many failures are recorded for the key. */
  numRequeues(key: string): number;
}

export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(baseDelayMs = 5, maxDelayMs = 1_000_000) {
    if (!(baseDelayMs > 0)) throw new TypeError(`baseDelayMs must be > 0, got ${baseDelayMs}`);
    if (!(maxDelayMs >= baseDelayMs)) throw new TypeError(`maxDelayMs must be >= baseDelayMs, got ${maxDelayMs}`);
    this.baseDelayMs = baseDelayMs;
    this.maxDelayMs = maxDelayMs;
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    const backoff = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(backoff) ? Math.min(backoff, this.maxDelayMs) : this.maxDelayMs;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket (golang.org/x/time/rate semantics): `burst` tokens, refilled at `qps`.
 * Each `when` reserves one token; when the bucket is empty the reservation is in the
 * future and its distance is the delay. Tokens may go negative to queue reservations.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;

  constructor(clock: Clock, qps = 10, burst = 100) {
    if (!(qps > 0)) throw new TypeError(`qps must be > 0, got ${qps}`);
    if (!(burst >= 1)) throw new TypeError(`burst must be >= 1, got ${burst}`);
    this.clock = clock;
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_key: string): number {
    const now = this.clock.now();
    const elapsedS = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.qps) - 1;
    this.last = now;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_key: string): void {
    // The bucket is shared by all keys: nothing to forget.
  }

  numRequeues(_key: string): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new TypeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must record the attempt, so no short-circuit here.
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** controller-runtime's default: per key 5 ms → 1000 s, overall 10 qps with a burst of 100. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1_000_000), new BucketRateLimiter(clock, 10, 100));
}
