// A keyed work queue with client-go semantics:
// - `dirty` holds keys that need processing; adding a dirty key again is a no-op (dedupe).
// - `processing` holds keys a worker has taken; a key re-added while processing is only
//   marked dirty and goes back in the queue on `done`, so one key is never handled by two
//   workers at once and no change is lost.
// - delayed adds (`addAfter`) keep only the earliest pending time per key.
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.ts';
import type { Clock, TimerHandle } from './clock.ts';

interface Delayed {
  at: number;
  handle: TimerHandle;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  readonly rateLimiter: RateLimiter;

  constructor(clock: Clock, rateLimiter: RateLimiter = defaultControllerRateLimiter(clock)) {
    this.clock = clock;
    this.rateLimiter = rateLimiter;
  }

  /** Keys waiting to be taken (the depth metric). */
  len(): number {
    return this.queue.length;
  }

  /** Keys currently held by workers. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, handle });
  }

  /** Requeues the key after the rate limiter's delay (records a failure). Returns the delay. */
  addRateLimited(key: string): number {
    const delay = this.rateLimiter.when(key);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was re-added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0) this.notifyDrained();
  }

  /**
   * Stops handing out keys: waiting workers get undefined, queued and delayed keys are
   * dropped (the next leader relists them). Keys in flight may still call `done`.
   */
  shutdown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.handle);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Shuts down and resolves once every key in flight is `done`. */
  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private take(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift();
      waiter?.(this.take());
    }
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
