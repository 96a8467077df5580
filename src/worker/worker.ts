// The worker: one limiter, one retry budget, named breakers and the metrics, all following
// the settings the operator publishes for the guard (see config-source.ts for how and how
// fast a change arrives).
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { BreakerSet, type Breaker, type BreakerOptions } from './breakers.ts';
import { realClock, type WorkerClock } from './clock.ts';
import { ConfigSource, resolveConfigPath } from './config-source.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import { stderrLog, type WorkerLog } from './log.ts';
import { DEFAULT_METRICS_PORT, listeningPort, serveMetrics, WorkerMetrics } from './metrics.ts';
import { checkInteger, checkKnownKeys, checkObject, checkOptionalBoolean, checkOptionalFunction, checkOptionalInteger, checkOptionalString } from './options.ts';
import { RetryBudget } from './retry-budget.ts';
import { DEFAULT_SETTINGS, sameBreaker, type BreakerSettings, type WorkerSettings } from './settings.ts';

export interface WorkerDefaults {
  perReplicaLimit?: number;
  frozen?: boolean;
  retryBudgetPercent?: number;
  breaker?: Partial<BreakerSettings>;
}

export interface WorkerOptions {
  /** The published `worker.json` (default: env COSTGUARD_CONFIG, then /etc/costguard/worker.json). */
  configPath?: string;
  /** How often the file is read again (default 5000 ms); fs.watch usually makes it sooner. */
  pollIntervalMs?: number;
  /** Use fs.watch on the config folder as a hint (default true). */
  watch?: boolean;
  /** Settings until a good file has been read (default: limit 1, budget 10 %, breaker 50 %/10/30 s). */
  defaults?: WorkerDefaults;
  /** Jobs that may wait for a slot before `run` rejects with BacklogFullError (default 1000). */
  maxPending?: number;
  /** Port of the /metrics endpoint (default 9464; 0 = any free port; false = no server). */
  metricsPort?: number | false;
  metricsHost?: string;
  /** Where the metrics are registered (default: a registry of the worker's own). */
  registry?: Registry;
  /** Folder where breaker states are kept across restarts (default: not kept). */
  breakerStateDir?: string;
  /** Sliding window of the retry budget (default 60 000 ms). */
  retryWindowMs?: number;
  /** Rolling window of the breakers' failure counts (default 10 000 ms, opossum's). */
  breakerWindowMs?: number;
  clock?: WorkerClock;
  log?: WorkerLog;
}

const KNOWN_OPTIONS = ['configPath', 'pollIntervalMs', 'watch', 'defaults', 'maxPending', 'metricsPort', 'metricsHost', 'registry', 'breakerStateDir', 'retryWindowMs', 'breakerWindowMs', 'clock', 'log'];

function checkOptions(options: WorkerOptions): void {
  checkObject('options', options);
  checkKnownKeys('options', options, KNOWN_OPTIONS);
  checkOptionalString('configPath', options.configPath);
  checkOptionalInteger('pollIntervalMs', options.pollIntervalMs, 1);
  checkOptionalBoolean('watch', options.watch);
  checkOptionalInteger('maxPending', options.maxPending, 0);
  if (options.metricsPort !== false) checkOptionalInteger('metricsPort', options.metricsPort, 0);
  checkOptionalString('metricsHost', options.metricsHost);
  checkOptionalString('breakerStateDir', options.breakerStateDir);
  checkOptionalInteger('retryWindowMs', options.retryWindowMs, 1);
  checkOptionalInteger('breakerWindowMs', options.breakerWindowMs, 10);
  checkOptionalFunction('log', options.log);
  if (options.registry !== undefined && !(options.registry instanceof Registry)) throw new TypeError('Expected `registry` to be a prom-client Registry');
}

/** DEFAULT_SETTINGS overlaid with the caller's defaults, each checked. */
export function initialSettings(defaults: WorkerDefaults = {}): WorkerSettings {
  checkObject('defaults', defaults);
  // Nested typos throw as top-level ones do: `defaults: { limit: 4 }` must not run at 1.
  checkKnownKeys('defaults', defaults, ['perReplicaLimit', 'frozen', 'retryBudgetPercent', 'breaker']);
  if (defaults.breaker !== undefined) {
    checkObject('defaults.breaker', defaults.breaker);
    checkKnownKeys('defaults.breaker', defaults.breaker, Object.keys(DEFAULT_SETTINGS.breaker));
  }
  const breaker = { ...DEFAULT_SETTINGS.breaker, ...defaults.breaker };
  const settings: WorkerSettings = { ...DEFAULT_SETTINGS, ...defaults, breaker };
  checkInteger('defaults.perReplicaLimit', settings.perReplicaLimit, 1);
  checkOptionalBoolean('defaults.frozen', settings.frozen);
  checkInteger('defaults.retryBudgetPercent', settings.retryBudgetPercent, 0);
  if (settings.retryBudgetPercent > 100) throw new TypeError(`Expected \`defaults.retryBudgetPercent\` to be at most 100, got ${settings.retryBudgetPercent}`);
  checkInteger('defaults.breaker.errorThresholdPercentage', breaker.errorThresholdPercentage, 1);
  checkInteger('defaults.breaker.volumeThreshold', breaker.volumeThreshold, 1);
  checkInteger('defaults.breaker.resetTimeoutMs', breaker.resetTimeoutMs, 1);
  return settings;
}

export class Worker {
  readonly limiter: ConcurrencyLimiter;
  readonly retryBudget: RetryBudget;
  readonly breakers: BreakerSet;
  readonly metrics: WorkerMetrics;
  readonly config: ConfigSource;
  readonly #options: WorkerOptions;
  #server: Server | undefined;
  #lastConfigSuccess: number | undefined;

  constructor(options: WorkerOptions = {}) {
    checkOptions(options);
    this.#options = options;
    const clock = options.clock ?? realClock;
    const log = options.log ?? stderrLog;
    const initial = initialSettings(options.defaults);
    this.limiter = new ConcurrencyLimiter({ limit: initial.perReplicaLimit, maxPending: options.maxPending });
    this.retryBudget = new RetryBudget({ clock, windowMs: options.retryWindowMs, percent: initial.retryBudgetPercent, frozen: initial.frozen });
    const rotate = new EventEmitter().setMaxListeners(0);
    const rollingWindowMs = options.breakerWindowMs ?? 10_000;
    this.breakers = new BreakerSet({ clock, log, rotate, rollingWindowMs, rollingBuckets: 10, stateDir: options.breakerStateDir }, initial.breaker);
    this.metrics = new WorkerMetrics(options.registry ?? new Registry(), {
      inFlight: () => this.limiter.activeCount,
      pending: () => this.limiter.pendingCount,
      limit: () => this.limiter.limit,
      frozen: () => this.retryBudget.frozen,
      breakers: () => this.breakers.all(),
      lastConfigSuccessSeconds: () => (this.#lastConfigSuccess === undefined ? undefined : this.#lastConfigSuccess / 1000),
    });
    this.config = new ConfigSource({
      path: resolveConfigPath(options.configPath),
      clock,
      log,
      initial,
      pollIntervalMs: options.pollIntervalMs,
      watch: options.watch,
      onChange: (next, previous) => this.#apply(next, previous),
      onError: () => void this.metrics.counts.configErrors++,
      onSuccess: (at) => (this.#lastConfigSuccess = at),
    });
  }

  /** The settings in effect. */
  get settings(): WorkerSettings {
    return this.config.settings;
  }

  /** The port /metrics listens on, once started (undefined without a server). */
  get metricsPort(): number | undefined {
    return this.#server ? listeningPort(this.#server) : undefined;
  }

  /** Reads the config file, starts following it, and serves the metrics. */
  async start(): Promise<void> {
    this.config.start();
    const port = this.#options.metricsPort ?? DEFAULT_METRICS_PORT;
    if (port !== false && !this.#server) this.#server = await serveMetrics(this.metrics.registry, port, this.#options.metricsHost);
  }

  /**
   * Runs one attempt of a job within the concurrency limit, counting it (attempts,
   * successes, failures). Rejects with BacklogFullError when the backlog is full; that
   * job was not attempted.
   */
  run<T>(job: () => PromiseLike<T> | T): Promise<T> {
    return this.limiter.runReporting<[() => PromiseLike<T> | T], T>(this.#attempt, job);
  }

  // A plain promise chain rather than async/await, and no extra promise around the job's
  // own: this runs once per job, and the library's cost per job is measured against bare
  // p-limit + opossum. p-limit turns a synchronous throw into a rejection.
  readonly #attempt = <T>(job: () => PromiseLike<T> | T): PromiseLike<T> | T => {
    const counts = this.metrics.counts;
    counts.attempts++;
    this.retryBudget.recordAttempt();
    let result: PromiseLike<T> | T;
    try {
      result = job();
    } catch (err) {
      counts.failures++;
      this.limiter.jobSettled();
      throw err;
    }
    if (isThenable(result)) return result.then(this.#succeeded, this.#failed);
    counts.successes++;
    this.limiter.jobSettled();
    return result;
  };

  readonly #succeeded = <T>(value: T): T => {
    this.metrics.counts.successes++;
    this.limiter.jobSettled();
    return value;
  };

  readonly #failed = (err: unknown): never => {
    this.metrics.counts.failures++;
    this.limiter.jobSettled();
    throw err;
  };

  /** Asks the retry budget for one retry; true (and counted) when allowed. Always false while frozen. */
  tryRetry(): boolean {
    if (!this.retryBudget.tryRetry()) return false;
    this.metrics.counts.retries++;
    return true;
  }

  /** A named breaker around `action`, configured from the published breaker settings. */
  breaker<A extends unknown[], R>(name: string, action: (...args: A) => Promise<R>, options?: BreakerOptions<A>): Breaker<A, R> {
    return this.breakers.create(name, action, options);
  }

  /**
   * Stops following the config, waits for running and queued jobs to finish (unless
   * `drain` is false), saves the breakers' state and stops the metrics server.
   */
  async close(options: { drain?: boolean } = {}): Promise<void> {
    this.config.stop();
    if (options.drain !== false) await this.limiter.onIdle();
    this.breakers.close();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #apply(next: WorkerSettings, previous: WorkerSettings): void {
    this.limiter.limit = next.perReplicaLimit;
    this.retryBudget.percent = next.retryBudgetPercent;
    this.retryBudget.frozen = next.frozen;
    if (!sameBreaker(next.breaker, previous.breaker)) this.breakers.update(next.breaker);
  }
}

function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A worker following the published settings; call `start()` before use. */
export function createWorker(options: WorkerOptions = {}): Worker {
  return new Worker(options);
}
