// Client-side rate limit on API server requests, as client-go's default (QPS 5, burst 10;
// controller-runtime raises it to 20/30): a token bucket that refills at `qps` up to `burst`.
// A request takes one token; when none is left it waits its turn (FIFO, by reservation), so a
// burst of reconciles after a resync spreads out instead of hammering the API server and
// drawing 429s from its priority and fairness limits.
import type { Clock } from '../clock.ts';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Most tokens held at once: how many requests may go out back to back. */
  burst: number;
  clock: Clock;
}

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  /** May go negative: each waiter has reserved a token that is not there yet. */
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.qps > 0) || !Number.isInteger(opts.burst) || opts.burst < 1) throw new TypeError(`token bucket needs qps > 0 and an integer burst >= 1, got qps ${opts.qps}, burst ${opts.burst}`);
    this.qps = opts.qps;
    this.burst = opts.burst;
    this.clock = opts.clock;
    this.tokens = opts.burst;
    this.last = opts.clock.now();
  }

  /**
   * Resolves when the caller may send one request. Rejects with the signal's reason if it
   * aborts while waiting; the reserved token is handed back so later callers do not wait for it.
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    const waitMs = Math.ceil((-this.tokens / this.qps) * 1000);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.clock.clearTimeout(handle);
        this.tokens += 1;
        reject(signal?.reason as Error);
      };
      const handle = this.clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Tokens available now (negative: that many requests are waiting). For tests and metrics. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
