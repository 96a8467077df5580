// Named opossum breakers configured from the published breaker settings.
//
// - volumeThreshold always comes from the settings (≥ 1): opossum's default of 0 would open
//   a breaker on the very first failure.
// - The rolling window moves on the library's clock (opossum's `rotateBucketController`),
//   not on opossum's own interval, so tests and the metrics see the same time.
// - With `stateDir`, each breaker's state (opossum's `toJSON()`) is written on every
//   transition and read back at creation (opossum's `options.state`), so a worker that
//   restarts with its breaker open does not hammer the downstream again. opossum turns a
//   restored open breaker half-open when `resetTimeout` has already passed since it opened.
// - When the published settings change, each breaker is rebuilt from its current state
//   and counts, because opossum fixes volumeThreshold at construction.
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import CircuitBreaker from 'opossum';
import type { WorkerClock, WorkerTimer } from './clock.ts';
import type { WorkerLog } from './log.ts';
import { checkFunction, checkOptionalFunction, checkOptionalInteger, checkString } from './options.ts';
import type { BreakerSettings } from './settings.ts';

export type BreakerState = 'closed' | 'halfOpen' | 'open';

/** The value of the `breaker_state` gauge for each state. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, halfOpen: 1, open: 2 };

export interface BreakerOptions<A extends unknown[]> {
  /**
   * Return true for errors that are the caller's fault, not the downstream's (a 4xx, a
   * validation error): they are rethrown but do not count as failures toward opening.
   */
  errorFilter?: (error: unknown, ...args: A) => boolean;
  /** Fail a call that takes longer than this (default 10 s, opossum's); false = no timeout. */
  timeoutMs?: number | false;
}

/** Is `error` a rejection by an open breaker (the call never reached the downstream)? */
export function isBreakerOpenError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EOPENBREAKER';
}

interface SavedState {
  version: 1;
  state: CircuitBreaker.State;
  stats: Partial<CircuitBreaker.Stats>;
}

type OpossumStateOptions = CircuitBreaker.Options & { state?: CircuitBreaker.State };

export interface BreakerContext {
  clock: WorkerClock;
  log: WorkerLog;
  rotate: EventEmitter;
  rollingWindowMs: number;
  rollingBuckets: number;
  stateDir: string | undefined;
}

export interface BreakerSpec<A extends unknown[], R> {
  name: string;
  action: (...args: A) => Promise<R>;
  options: BreakerOptions<A>;
}

const COUNTERS = ['fires', 'failures', 'successes', 'rejects', 'timeouts', 'fallbacks', 'semaphoreRejections'] as const;

export class Breaker<A extends unknown[] = unknown[], R = unknown> extends EventEmitter {
  readonly name: string;
  #circuit: CircuitBreaker<A, R>;
  readonly #action: (...args: A) => Promise<R>;
  readonly #options: BreakerOptions<A>;
  readonly #ctx: BreakerContext;

  constructor(spec: BreakerSpec<A, R>, settings: BreakerSettings, ctx: BreakerContext) {
    super();
    this.name = spec.name;
    this.#action = spec.action;
    this.#options = spec.options;
    this.#ctx = ctx;
    this.#circuit = this.#build(settings, this.#load());
  }

  /** Calls the action through the breaker; rejects with code EOPENBREAKER while open. */
  fire(...args: A): Promise<R> {
    return this.#circuit.fire(...args);
  }

  get state(): BreakerState {
    if (this.#circuit.opened) return 'open';
    return this.#circuit.halfOpen ? 'halfOpen' : 'closed';
  }

  /** Calls, failures, successes and rejections in the rolling window. */
  get stats(): CircuitBreaker.Stats {
    return this.#circuit.stats;
  }

  /** The opossum breaker in use now (replaced when the published settings change). */
  get circuit(): CircuitBreaker<A, R> {
    return this.#circuit;
  }

  /** Rebuilds the opossum breaker with new settings, keeping its state and counts. */
  reconfigure(settings: BreakerSettings): void {
    const saved = this.#snapshot();
    this.#circuit.shutdown();
    this.#circuit = this.#build(settings, saved);
  }

  /** Writes the state file now (when a state folder is configured). */
  save(): void {
    const dir = this.#ctx.stateDir;
    if (dir === undefined) return;
    const file = this.#file(dir);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(this.#snapshot()));
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.#ctx.log({ level: 'warn', msg: 'cannot save the breaker state', breaker: this.name, error: (err as Error).message });
    }
  }

  /** Saves the state and stops the breaker's timers. */
  shutdown(): void {
    this.save();
    this.#circuit.shutdown();
  }

  #snapshot(): SavedState {
    const { state, status } = this.#circuit.toJSON();
    const stats: Partial<CircuitBreaker.Stats> = {};
    for (const key of COUNTERS) stats[key] = status[key];
    return { version: 1, state, stats };
  }

  #file(dir: string): string {
    return join(dir, `${encodeURIComponent(this.name)}.json`);
  }

  #load(): SavedState | undefined {
    const dir = this.#ctx.stateDir;
    if (dir === undefined) return undefined;
    try {
      const saved = JSON.parse(readFileSync(this.#file(dir), 'utf8')) as SavedState;
      return saved.version === 1 && typeof saved.state === 'object' ? saved : undefined;
    } catch {
      return undefined; // no state yet, or unreadable: start closed
    }
  }

  #build(settings: BreakerSettings, saved: SavedState | undefined): CircuitBreaker<A, R> {
    const { rotate, rollingWindowMs, rollingBuckets } = this.#ctx;
    const status = CircuitBreaker.newStatus({
      rollingCountTimeout: rollingWindowMs,
      rollingCountBuckets: rollingBuckets,
      rotateBucketController: rotate,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      ...(saved ? { stats: { ...emptyStats(), ...saved.stats } as CircuitBreaker.Stats } : {}),
    });
    const options: OpossumStateOptions = {
      name: this.name,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      timeout: this.#options.timeoutMs ?? 10_000,
      rollingCountTimeout: rollingWindowMs,
      rollingCountBuckets: rollingBuckets,
      rotateBucketController: rotate,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      status,
      ...(this.#options.errorFilter ? { errorFilter: this.#options.errorFilter as unknown as (err: unknown) => boolean } : {}),
      ...(saved ? { state: saved.state } : {}),
    };
    const circuit = new CircuitBreaker(this.#action, options);
    const relay = (event: BreakerState | 'close') => (): void => {
      this.save();
      this.emit(event);
    };
    circuit.on('open', relay('open'));
    circuit.on('halfOpen', relay('halfOpen'));
    circuit.on('close', relay('close'));
    return circuit;
  }
}

function emptyStats(): Record<string, unknown> {
  return { fires: 0, failures: 0, successes: 0, rejects: 0, timeouts: 0, fallbacks: 0, semaphoreRejections: 0, cacheHits: 0, cacheMisses: 0, coalesceCacheHits: 0, coalesceCacheMisses: 0, percentiles: {}, latencyTimes: [] };
}

/** The breakers of one worker, all following the same published settings. */
export class BreakerSet {
  readonly #ctx: BreakerContext;
  readonly #breakers = new Map<string, Breaker>();
  #settings: BreakerSettings;
  #timer: WorkerTimer | undefined;

  constructor(ctx: BreakerContext, settings: BreakerSettings) {
    this.#ctx = ctx;
    this.#settings = settings;
  }

  create<A extends unknown[], R>(name: string, action: (...args: A) => Promise<R>, options: BreakerOptions<A> = {}): Breaker<A, R> {
    checkString('name', name);
    checkFunction('action', action);
    checkOptionalFunction('errorFilter', options.errorFilter);
    if (options.timeoutMs !== false) checkOptionalInteger('timeoutMs', options.timeoutMs, 1);
    if (this.#breakers.has(name)) throw new TypeError(`A breaker named \`${name}\` already exists`);
    const breaker = new Breaker({ name, action, options }, this.#settings, this.#ctx);
    this.#breakers.set(name, breaker as unknown as Breaker);
    this.#startRotating();
    return breaker;
  }

  get(name: string): Breaker | undefined {
    return this.#breakers.get(name);
  }

  all(): Breaker[] {
    return [...this.#breakers.values()];
  }

  update(settings: BreakerSettings): void {
    this.#settings = settings;
    for (const breaker of this.#breakers.values()) breaker.reconfigure(settings);
  }

  close(): void {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const breaker of this.#breakers.values()) breaker.shutdown();
  }

  // One timer on the library's clock moves every breaker's rolling window by one bucket.
  #startRotating(): void {
    if (this.#timer !== undefined) return;
    const { clock, rotate, rollingWindowMs, rollingBuckets } = this.#ctx;
    const every = Math.max(1, Math.floor(rollingWindowMs / rollingBuckets));
    const tick = (): void => {
      rotate.emit('rotate');
      this.#timer = clock.setTimeout(tick, every);
    };
    this.#timer = clock.setTimeout(tick, every);
  }
}
