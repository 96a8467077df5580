// A concurrency limiter on p-limit whose limit can move while work runs. Lowering the limit
// never aborts anything: jobs already running finish, and new jobs start only once fewer
// than the new limit are running (p-limit's own semantics for a changed `concurrency`).
// The backlog is bounded: past `maxPending` queued jobs, `run` rejects with a
// BacklogFullError instead of letting memory grow with the queue.
import pLimit, { type LimitFunction } from 'p-limit';
import { checkInteger, checkOptionalInteger } from './options.ts';

/** `run` was called while `maxPending` jobs were already waiting. */
export class BacklogFullError extends Error {
  readonly code = 'EBACKLOGFULL';
  readonly maxPending: number;

  constructor(maxPending: number) {
    super(`The worker's backlog is full (${maxPending} jobs waiting for a slot)`);
    this.name = 'BacklogFullError';
    this.maxPending = maxPending;
  }
}

export interface LimiterOptions {
  /** Initial limit (default 1); the worker moves it to the published per-replica limit. */
  limit?: number;
  /** Jobs that may wait for a slot before `run` rejects (default 1000; 0 = never queue). */
  maxPending?: number;
}

export const DEFAULT_MAX_PENDING = 1000;

export class ConcurrencyLimiter {
  readonly maxPending: number;
  readonly #plimit: LimitFunction;
  #waiters: Array<() => void> = [];

  constructor(options: LimiterOptions = {}) {
    checkOptionalInteger('limit', options.limit, 1);
    checkOptionalInteger('maxPending', options.maxPending, 0);
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#plimit = pLimit(options.limit ?? 1);
  }

  /** How many jobs may run at once. */
  get limit(): number {
    return this.#plimit.concurrency;
  }

  /** Takes effect for jobs not yet started; running jobs are never interrupted. */
  set limit(value: number) {
    checkInteger('limit', value, 1);
    this.#plimit.concurrency = value;
    this.#wake();
  }

  /** Jobs running now (may exceed `limit` for a while after the limit was lowered). */
  get activeCount(): number {
    return this.#plimit.activeCount;
  }

  /** Jobs waiting for a slot. */
  get pendingCount(): number {
    return this.#plimit.pendingCount;
  }

  /** Slots free right now: how many more jobs would start without waiting. */
  get available(): number {
    return Math.max(0, this.limit - this.activeCount - this.pendingCount);
  }

  /** Runs `fn` when a slot is free; rejects with BacklogFullError when the backlog is full. */
  run<T>(fn: () => PromiseLike<T> | T): Promise<T> {
    const result = this.runReporting(fn);
    void result.then(this.jobSettled, this.jobSettled);
    return result;
  }

  /**
   * `run` for a wrapper that already attaches its own handlers to every job: it must call
   * `jobSettled()` when the job settles, which saves a promise reaction per job.
   */
  runReporting<A extends unknown[], T>(fn: (...args: A) => PromiseLike<T> | T, ...args: A): Promise<T> {
    const plimit = this.#plimit;
    if (plimit.activeCount + plimit.pendingCount >= plimit.concurrency + this.maxPending) {
      return Promise.reject(new BacklogFullError(this.maxPending));
    }
    // arguments passed through p-limit rather than captured: no closure per job
    return plimit(fn, ...args);
  }

  /**
   * Wakes `whenAvailable`/`onIdle` waiters once p-limit has freed the slot (a moment after
   * the job's promise settles, so look on the next macrotask). Nothing to do while nobody waits.
   */
  readonly jobSettled = (): void => {
    if (this.#waiters.length > 0) setImmediate(() => this.#wake());
  };

  /** Resolves once at least one slot is free (immediately if one is). */
  whenAvailable(): Promise<void> {
    return this.#waitFor(() => this.available > 0);
  }

  /** Resolves once nothing runs and nothing waits. */
  onIdle(): Promise<void> {
    return this.#waitFor(() => this.activeCount === 0 && this.pendingCount === 0);
  }

  #waitFor(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (ready()) resolve();
        else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const check of waiters) check();
  }
}
