// The runtime's Prometheus metrics. Each Manager owns its Registry (not prom-client's global
// one) so two managers in one process — as in the leader-election tests — do not collide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

export class RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileDuration: Histogram<'controller'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly workqueueDepth: Gauge<'controller'>;
  readonly watchRestarts: Counter<'resource'>;
  readonly leader: Gauge;
  readonly kubeApiWaiting: Gauge<'priority'>;
  private readonly depthSources = new Map<string, () => number>();
  private limiterSource: (() => { waiting: Record<string, number>; dropped: number }) | undefined;

  constructor(registry: Registry = new Registry(), opts: { processMetrics?: boolean } = {}) {
    this.registry = registry;
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: 'costguard_reconcile_total',
      help: 'Reconciles by controller and result (success, error, requeue, requeue_after).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'costguard_reconcile_duration_seconds',
      help: 'Time spent in one reconcile.',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'costguard_reconcile_errors_total',
      help: 'Reconciles that ended in an error (retried or terminal).',
      labelNames: ['controller'],
      registers,
    });
    const depthSources = this.depthSources;
    this.workqueueDepth = new Gauge({
      name: 'costguard_workqueue_depth',
      help: 'Keys waiting in the controller work queue.',
      labelNames: ['controller'],
      registers,
      collect() {
        for (const [controller, depth] of depthSources) this.set({ controller }, depth());
      },
    });
    this.watchRestarts = new Counter({
      name: 'costguard_watch_restarts_total',
      help: 'Informer list/watch restarts after an error, a stale watch or an expired resourceVersion.',
      labelNames: ['resource'],
      registers,
    });
    this.leader = new Gauge({ name: 'costguard_leader', help: '1 while this replica holds the leader lease.', registers });
    const limiter = (): ReturnType<NonNullable<typeof this.limiterSource>> | undefined => this.limiterSource?.();
    this.kubeApiWaiting = new Gauge({
      name: 'costguard_kube_api_waiting',
      help: 'Kubernetes API requests waiting for a client-side rate-limit token, by priority (high, normal, low).',
      labelNames: ['priority'],
      registers,
      collect() {
        for (const [priority, n] of Object.entries(limiter()?.waiting ?? {})) this.set({ priority }, n);
      },
    });
    new Counter({
      name: 'costguard_kube_api_dropped_total',
      help: 'Low-priority Kubernetes API requests (events) dropped because the client-side rate limit was saturated.',
      registers,
      // The bucket keeps the count; a counter that is re-read at scrape time stays monotonic.
      collect() {
        this.reset();
        this.inc(limiter()?.dropped ?? 0);
      },
    });
    this.leader.set(0);
    if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'costguard_' });
  }

  /** The depth gauge reads the queue length at scrape time. */
  trackQueue(controller: string, depth: () => number): void {
    this.depthSources.set(controller, depth);
  }

  /** The limiter gauges read the token bucket at scrape time. */
  trackLimiter(source: () => { waiting: Record<string, number>; dropped: number }): void {
    this.limiterSource = source;
  }

  untrackQueue(controller: string): void {
    this.depthSources.delete(controller);
    this.workqueueDepth.remove({ controller });
  }
}
