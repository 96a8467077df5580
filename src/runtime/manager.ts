// The Manager wires the runtime together (controller-runtime's Manager): shared informers,
// controllers, leader election, the HTTP endpoints and graceful shutdown. Informers run on
// every replica (a standby keeps a warm cache); controllers run only on the leader.
//
// Shutdown order matters: stop taking keys → let reconciles in flight finish (bounded by
// gracefulShutdownTimeout) → release the Lease → stop informers and endpoints. Releasing
// last means a standby never acts while our last reconciles still run.
import { randomUUID } from 'node:crypto';
import { WriteFence } from './fence.ts';
import { systemClock, type Clock } from './clock.ts';
import { ControllerGroup, type ControllerSpec } from './controller-group.ts';
import { KubeEventRecorder } from './events.ts';
import { Informer, kubeListWatch } from './informer/informer.ts';
import { resourceName, type ResourceType } from './kube/resource.ts';
import { RestClient } from './kube/rest.ts';
import { TokenBucket } from './kube/token-bucket.ts';
import { LeaderElector } from './leaderelection.ts';
import { KubeLeaseLock } from './lease-lock.ts';
import { createLogger, type Logger } from './logger.ts';
import { RuntimeMetrics } from './metrics.ts';
import { startEndpoints, type Endpoints } from './manager-endpoints.ts';
import { KubeStatusWriter } from './status.ts';
import type { KubeAccess } from './kube/access.ts';
import type { RuntimeConfig } from './config.ts';
import type { KubeObject } from './keys.ts';
import type { ListFn, ReflectorTimings, WatchFn } from './informer/types.ts';
import type { Reconciler } from './reconciler.ts';

export interface ManagerOptions {
  config: RuntimeConfig;
  /** A client-node KubeConfig, or the lighter access from loadKubeAccess(). */
  kubeConfig: KubeAccess;
  log?: Logger;
  clock?: Clock;
  metrics?: RuntimeMetrics;
  /** Lease holder identity; default "<podName>_<uuid>" as client-go. */
  identity?: string;
  informerTimings?: Partial<ReflectorTimings>;
  /** Replaces the API server list/watch (tests). */
  listWatch?: { list: ListFn; watch: WatchFn };
}

export type { ControllerSpec, Source, WatchSpec } from './controller-group.ts';

export type StopReason = 'stopped' | 'leadership-lost';

export class Manager {
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly rest: RestClient;
  /**
   * With leader election, a deadline: open until the last successful renewal + renewDeadline,
   * closed at that instant even while a renewal hangs. Every write through `rest` (and through
   * any client given the fence, such as the AWS clients) is refused once it is closed, and
   * calls in flight are aborted through its signal.
   */
  readonly fence: WriteFence;
  /** Unfenced, for the lease only (it must still be read and released after the fence closes). */
  private readonly leaseRest: RestClient;
  readonly identity: string;
  readonly events: KubeEventRecorder;
  readonly status: KubeStatusWriter;
  /** Resolves when the manager has stopped, with why. */
  readonly done: Promise<StopReason>;
  endpoints: Endpoints | undefined;
  private resolveDone: (reason: StopReason) => void = () => undefined;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly controllers: ControllerGroup;
  private readonly listWatch: { list: ListFn; watch: WatchFn };
  private readonly metadataListWatch: { list: ListFn; watch: WatchFn };
  private readonly timings: Partial<ReflectorTimings> | undefined;
  private elector: LeaderElector | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(opts: ManagerOptions) {
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger(opts.config.logLevel);
    this.metrics = opts.metrics ?? new RuntimeMetrics();
    this.fence = new WriteFence(this.clock);
    // The client-side QPS limit covers every request but the lease's: renewals must never
    // queue behind a burst of reconciles, or a busy leader would lose its lease.
    const limiter = new TokenBucket({ qps: opts.config.kubeApiQps, burst: opts.config.kubeApiBurst, clock: this.clock });
    this.metrics.trackLimiter(() => ({ waiting: limiter.pending(), dropped: limiter.dropped }));
    this.rest = new RestClient(opts.kubeConfig, { fence: this.fence, limiter });
    this.leaseRest = new RestClient(opts.kubeConfig);
    this.identity = opts.identity ?? `${opts.config.podName}_${randomUUID()}`;
    this.events = new KubeEventRecorder({ rest: this.rest, clock: this.clock, log: this.log, reportingInstance: opts.config.podName });
    this.status = new KubeStatusWriter(this.rest);
    this.listWatch = opts.listWatch ?? kubeListWatch(opts.kubeConfig, this.rest);
    this.metadataListWatch = opts.listWatch ?? kubeListWatch(opts.kubeConfig, this.rest, { metadataOnly: true });
    this.timings = opts.informerTimings;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const c = opts.config;
    this.controllers = new ControllerGroup({
      clock: this.clock,
      log: this.log,
      metrics: this.metrics,
      services: { events: this.events, status: this.status },
      informer: (resource, metadataOnly) => this.informer(resource, { metadataOnly }),
      maxConcurrentReconciles: c.maxConcurrentReconciles,
      resyncPeriodMs: c.resyncPeriodMs,
      gracefulShutdownTimeoutMs: c.gracefulShutdownTimeoutMs,
    });
  }

  /**
   * The shared informer for a resource (created on first use, started with the manager).
   * `metadataOnly` asks for a PartialObjectMetadata cache (unless --metadata-only-informers=false);
   * it is a separate informer from the full-object one, so ask for metadata only where a
   * controller never reads the body from the cache.
   */
  informer<T extends KubeObject = KubeObject>(resource: ResourceType, opts: { metadataOnly?: boolean | undefined } = {}): Informer<T> {
    const metadataOnly = (opts.metadataOnly ?? false) && this.config.metadataOnlyInformers;
    const name = resourceName(resource) + (metadataOnly ? ' (metadata)' : '');
    let informer = this.informers.get(name);
    if (!informer) {
      informer = new Informer<KubeObject>({
        resource,
        namespaces: this.config.namespaces,
        ...(metadataOnly ? this.metadataListWatch : this.listWatch),
        clock: this.clock,
        log: this.log.child({ informer: name }),
        timings: this.timings,
        onRestart: (res) => this.metrics.watchRestarts.inc({ resource: res }),
      });
      this.informers.set(name, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Registers a controller; it runs while this replica leads. Call before start(). */
  addController(reconciler: Reconciler, spec: ControllerSpec): void {
    if (this.started) throw new Error(`addController(${reconciler.name}) after start()`);
    this.controllers.register(reconciler, spec);
    for (const need of this.controllers.resources()) this.informer(need.resource, need);
  }

  isLeader(): boolean {
    return this.config.leaderElect ? (this.elector?.isLeader() ?? false) : this.started;
  }

  /** The holder of the Lease as this replica last read it ('' before its first attempt, or released). */
  observedLeader(): string {
    return this.elector?.leader() ?? '';
  }

  /** Ready when every informer has synced (an uninstalled optional API counts as synced). */
  readiness(): { ready: boolean; informers: Record<string, string> } {
    const informers: Record<string, string> = {};
    for (const [name, inf] of this.informers) informers[name] = inf.isAbsent() ? 'absent' : inf.hasSynced() ? 'synced' : 'syncing';
    return { ready: [...this.informers.values()].every((i) => i.hasSynced()), informers };
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.endpoints = await startEndpoints(this);
    for (const informer of this.informers.values()) informer.start();
    if (!this.config.leaderElect) return void this.startControllers();
    this.elector = this.createElector();
    void this.elector.run();
  }

  /** Graceful stop; `releaseLease: false` simulates a crash (the lease must expire). */
  stop(opts: { releaseLease?: boolean } = {}): Promise<void> {
    return this.shutdown('stopped', opts.releaseLease ?? true);
  }

  private createElector(): LeaderElector {
    const c = this.config;
    return new LeaderElector({
      lock: new KubeLeaseLock(this.leaseRest, c.leaderElectionNamespace, c.leaderElectionId, c.renewDeadlineMs),
      identity: this.identity,
      clock: this.clock,
      log: this.log.child({ component: 'leader-election' }),
      leaseDurationMs: c.leaseDurationMs,
      renewDeadlineMs: c.renewDeadlineMs,
      retryPeriodMs: c.retryPeriodMs,
      // Writes stay open only until the last successful renewal + renewDeadline.
      onRenewed: (deadline) => this.fence.openUntil(deadline),
      onStartedLeading: () => void this.startControllers(),
      // Fence first, then drain: a reconcile in flight fails its next write instead of making it.
      onStoppedLeading: () => {
        this.fence.close('leadership lost: another replica may be leading');
        void this.shutdown('leadership-lost', false);
      },
      onNewLeader: (id) => this.log.info({ leader: id }, 'new leader observed'),
    });
  }

  private async startControllers(): Promise<void> {
    if (this.stopping) return;
    this.metrics.leader.set(1);
    try {
      await this.controllers.start(Promise.all([...this.informers.values()].map((i) => i.waitForSync())));
    } catch (err) {
      this.log.error({ err }, 'controllers failed to start');
      await this.shutdown('stopped', true);
    }
  }

  private shutdown(reason: StopReason, releaseLease: boolean): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({ reason }, 'stopping');
      // Leadership lost: no grace period, the fence is closed and in-flight reconciles are aborted.
      const drained = await this.controllers.stop(reason === 'leadership-lost' ? 0 : undefined);
      this.metrics.leader.set(0);
      if (!drained) this.log.warn({ timeoutMs: this.config.gracefulShutdownTimeoutMs }, 'reconciles still running at the shutdown deadline');
      // Before the lease is handed back: a standby may lead at once, and a reconcile that
      // outlived the grace period must not write after that (this also clears the deadline timer).
      if (this.elector) this.fence.close('stopping: the leader lease is being released');
      await this.elector?.stop({ release: releaseLease });
      for (const informer of this.informers.values()) informer.stop();
      await this.endpoints?.close();
      await this.rest.close();
      await this.leaseRest.close();
      this.log.info({ reason }, 'stopped');
      this.resolveDone(reason);
    })();
    return this.stopping;
  }
}
