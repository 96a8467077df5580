// What stands between a controller and AWS on every call: a circuit breaker per service, a
// concurrency limit shared by every client, classification into CloudError, and a counter.
// The same medicine CostGuard prescribes to workers: an operator watching 200 guards must not
// itself become the retry storm that keeps a throttled API throttled.
import CircuitBreaker from 'opossum';
import pLimit, { type LimitFunction } from 'p-limit';
import { Counter, Gauge, type Registry } from 'prom-client';
import { BREAKER_OPEN_CODE, CloudError, type CloudErrorKind } from '../errors.ts';
import { classifyAwsError } from './classify.ts';

export interface BreakerSettings {
  /** Failure share (percent) of calls in the window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls needed in the window before the share counts (opossum's 0 opens on one failure). */
  volumeThreshold: number;
  /** How long an open breaker fails fast before letting one probe call through. */
  resetTimeoutMs: number;
  /** The rolling window the share is computed over. */
  windowMs: number;
}

export const DEFAULT_BREAKER: Readonly<BreakerSettings> = {
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  resetTimeoutMs: 30_000,
  windowMs: 60_000,
};
export const DEFAULT_CONCURRENCY = 8;

export interface CallGuardOptions {
  registry: Registry;
  concurrency?: number;
  breaker?: Partial<BreakerSettings>;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';
type Action = () => Promise<unknown>;

// These say something about the request or the resource, not about the service's health.
const EXPECTED: ReadonlySet<CloudErrorKind> = new Set(['NotFound', 'Invalid', 'AccessDenied', 'Contention']);

export class CallGuard {
  private readonly limit: LimitFunction;
  private readonly settings: BreakerSettings;
  private readonly breakers = new Map<string, CircuitBreaker<[Action], unknown>>();
  private readonly calls: Counter<'service' | 'operation' | 'outcome'>;
  private readonly open: Gauge<'service'>;

  constructor(options: CallGuardOptions) {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.limit = pLimit(concurrency);
    this.settings = { ...DEFAULT_BREAKER, ...options.breaker };
    this.calls = metric(options.registry, 'costguard_aws_calls_total', () => new Counter({
      name: 'costguard_aws_calls_total', help: 'AWS API calls by service, operation and outcome (success or error kind)',
      labelNames: ['service', 'operation', 'outcome'], registers: [options.registry],
    }));
    this.open = metric(options.registry, 'costguard_aws_breaker_open', () => new Gauge({
      name: 'costguard_aws_breaker_open', help: '1 while the circuit breaker for an AWS service is open or half-open',
      labelNames: ['service'], registers: [options.registry],
    }));
  }

  /**
   * Runs one AWS call. Rejects only with CloudError; with kind `Unavailable` and code
   * `BreakerOpen`, without running `fn`, while the service's breaker is open. `limited: false`
   * is for calls made from inside a limited call (credential refresh), which would deadlock
   * waiting for a slot their own caller holds.
   */
  async run<T>(service: string, operation: string, fn: () => Promise<T>, limited = true): Promise<T> {
    const ctx = { service, operation };
    const attempt = (): Promise<T> => fn().catch((err: unknown) => Promise.reject(classifyAwsError(err, ctx)));
    try {
      const result = (await this.breaker(service).fire(limited ? () => this.limit(attempt) : attempt)) as T;
      this.calls.inc({ service, operation, outcome: 'success' });
      return result;
    } catch (err) {
      const error = classifyAwsError(err, ctx);
      this.calls.inc({ service, operation, outcome: outcome(error) });
      throw error;
    }
  }

  state(service: string): BreakerState {
    const b = this.breakers.get(service);
    if (!b || b.closed) return 'closed';
    return b.halfOpen ? 'halfOpen' : 'open';
  }

  get activeCount(): number {
    return this.limit.activeCount;
  }

  get pendingCount(): number {
    return this.limit.pendingCount;
  }

  /** Stops the breakers' timers. */
  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }

  private breaker(service: string): CircuitBreaker<[Action], unknown> {
    let b = this.breakers.get(service);
    if (b) return b;
    b = new CircuitBreaker((action: Action) => action(), {
      name: `aws-${service}`,
      timeout: false, // the SDK's request timeout bounds each call; queueing for a slot is not a failure
      errorThresholdPercentage: this.settings.errorThresholdPercentage,
      volumeThreshold: this.settings.volumeThreshold,
      resetTimeout: this.settings.resetTimeoutMs,
      rollingCountTimeout: this.settings.windowMs,
      errorFilter: (err: unknown) => err instanceof CloudError && EXPECTED.has(err.kind),
    });
    b.on('open', () => this.open.set({ service }, 1));
    b.on('close', () => this.open.set({ service }, 0));
    this.open.set({ service }, 0);
    this.breakers.set(service, b);
    return b;
  }
}

function outcome(error: CloudError): string {
  if (error.code === BREAKER_OPEN_CODE) return 'short_circuited';
  return error.kind.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

// Two CallGuards may share one registry (tests, or several operators in one process);
// prom-client throws on a second registration, so reuse the metric already there.
function metric<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
