// A retry budget in the style of Finagle's and gRPC's: retries may be at most N % of the
// attempts seen over a sliding window, so a failing dependency sees at most (1 + N/100)×
// its normal load from this worker instead of a multiple of it. While the guard's brake is
// engaged (`frozen`) no retry is allowed at all.
import type { WorkerClock } from './clock.ts';
import { checkInteger } from './options.ts';

export interface RetryCounts {
  attempts: number;
  retries: number;
}

/**
 * Whether one more retry keeps retries ≤ percent % of attempts. Pure. The retry is granted
 * only if the ratio still holds counting it, so the published counters never show more
 * retries than the budget allows, even before the retried attempt runs.
 */
export function retryAllowed(counts: RetryCounts, percent: number, frozen: boolean): boolean {
  if (frozen || percent <= 0) return false;
  return (counts.retries + 1) * 100 <= percent * counts.attempts;
}

export interface RetryBudgetOptions {
  clock: WorkerClock;
  /** Length of the sliding window (default 60 s). */
  windowMs?: number;
  /** Slices of the window; the window moves one slice at a time (default 12). */
  buckets?: number;
  percent: number;
  frozen: boolean;
}

interface Bucket extends RetryCounts {
  slice: number;
}

export class RetryBudget {
  percent: number;
  frozen: boolean;
  readonly windowMs: number;
  readonly #clock: WorkerClock;
  readonly #sliceMs: number;
  readonly #ring: Bucket[];

  constructor(options: RetryBudgetOptions) {
    checkInteger('retryWindowMs', options.windowMs ?? 60_000, 1);
    checkInteger('buckets', options.buckets ?? 12, 1);
    this.#clock = options.clock;
    this.windowMs = options.windowMs ?? 60_000;
    const buckets = options.buckets ?? 12;
    this.#sliceMs = Math.max(1, Math.ceil(this.windowMs / buckets));
    this.#ring = Array.from({ length: buckets }, () => ({ slice: -1, attempts: 0, retries: 0 }));
    this.percent = options.percent;
    this.frozen = options.frozen;
  }

  /** Counts one attempt (first try or retry) now. */
  recordAttempt(): void {
    this.#current().attempts++;
  }

  /** Asks for one retry: true (and counted) when the budget allows it, false otherwise. */
  tryRetry(): boolean {
    if (!retryAllowed(this.counts(), this.percent, this.frozen)) return false;
    this.#current().retries++;
    return true;
  }

  /** Attempts and retries inside the window ending now. */
  counts(): RetryCounts {
    const now = this.#slice();
    let attempts = 0;
    let retries = 0;
    for (const b of this.#ring) {
      if (b.slice > now - this.#ring.length) {
        attempts += b.attempts;
        retries += b.retries;
      }
    }
    return { attempts, retries };
  }

  #slice(): number {
    return Math.floor(this.#clock.now() / this.#sliceMs);
  }

  #current(): Bucket {
    const slice = this.#slice();
    const bucket = this.#ring[slice % this.#ring.length]!;
    if (bucket.slice !== slice) Object.assign(bucket, { slice, attempts: 0, retries: 0 });
    return bucket;
  }
}
