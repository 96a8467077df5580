// The leader-only half of the Manager: the registered controllers, their watches and the
// periodic resync. Started when this replica becomes leader, stopped (drained) on shutdown.
import { Controller } from './controller.ts';
import { enqueueMapped, enqueueObject, type MapFn, type UpdatePredicate } from './watches.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { Informer } from './informer/informer.ts';
import type { KubeObject } from './keys.ts';
import type { ResourceType } from './kube/resource.ts';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';
import type { RateLimiter } from './ratelimiter.ts';
import type { ReconcileServices, Reconciler } from './reconciler.ts';

export interface WatchSpec {
  resource: ResourceType;
  /** Keys of the primary objects a change to this object affects. */
  map: MapFn<KubeObject>;
  predicate?: UpdatePredicate<KubeObject>;
  /**
   * The watch only maps events to keys: cache PartialObjectMetadata (names, labels,
   * annotations, generation, resourceVersion), not whole objects. map and predicate then see
   * metadata only; a reconcile that needs the body GETs it.
   */
  metadataOnly?: boolean;
}

/** An informer a controller needs: the resource, and whether metadata is enough. */
export interface InformerNeed {
  resource: ResourceType;
  metadataOnly: boolean;
}

/**
 * Keys from somewhere other than an informer (controller-runtime's channel source): called
 * with the controller's enqueue when it starts; returns a function that unsubscribes.
 */
export type Source = (enqueue: (key: string) => void) => () => void;

export interface ControllerSpec {
  /** The primary resource: its keys are what `reconcile` receives. */
  for: ResourceType;
  watches?: readonly WatchSpec[];
  /** Which primary updates trigger a reconcile; default specOrMetadataChanged. */
  predicate?: UpdatePredicate<KubeObject>;
  /**
   * Which primary objects concern this controller at all (default: every one). Others are not
   * queued by the resync nor by adds and updates; deletes always are. It must stay true while
   * the controller still has something of its own on the object to clean up (say its status
   * fields after its spec section was removed), so that the cleanup runs once.
   */
  concerns?: (obj: KubeObject) => boolean;
  sources?: readonly Source[];
  maxConcurrentReconciles?: number;
  rateLimiter?: RateLimiter;
}

export interface ControllerGroupDeps {
  clock: Clock;
  log: Logger;
  metrics: RuntimeMetrics;
  services: ReconcileServices;
  informer: (resource: ResourceType, metadataOnly?: boolean) => Informer<KubeObject>;
  maxConcurrentReconciles: number;
  resyncPeriodMs: number;
  gracefulShutdownTimeoutMs: number;
}

interface Registration {
  reconciler: Reconciler;
  spec: ControllerSpec;
  controller?: Controller;
  unsubscribe: Array<() => void>;
}

export class ControllerGroup {
  private readonly d: ControllerGroupDeps;
  private readonly registrations: Registration[] = [];
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(deps: ControllerGroupDeps) {
    this.d = deps;
  }

  get names(): string[] {
    return this.registrations.map((r) => r.reconciler.name);
  }

  /** The informers these controllers need. */
  resources(): InformerNeed[] {
    return this.registrations.flatMap((r) => [
      { resource: r.spec.for, metadataOnly: false },
      ...(r.spec.watches ?? []).map((w) => ({ resource: w.resource, metadataOnly: w.metadataOnly ?? false })),
    ]);
  }

  register(reconciler: Reconciler, spec: ControllerSpec): void {
    this.registrations.push({ reconciler, spec, unsubscribe: [] });
  }

  /**
   * Hooks the controllers to their informers, waits for `synced` (a reconcile must never see
   * a half-filled cache and conclude objects are gone), enqueues every primary key and starts
   * the workers.
   */
  async start(synced: Promise<unknown>): Promise<void> {
    for (const reg of this.registrations) this.wire(reg);
    await synced;
    if (this.stopped) return;
    this.enqueueAll();
    for (const reg of this.registrations) reg.controller?.start();
    this.d.log.info({ controllers: this.names }, 'controllers started');
    this.scheduleResync();
  }

  /**
   * Stops taking keys and drains; resolves false when the shutdown deadline cut it short.
   * `deadlineMs: 0` (leadership lost) aborts every reconcile's ctx.signal at once.
   */
  async stop(deadlineMs = this.d.gracefulShutdownTimeoutMs): Promise<boolean> {
    this.stopped = true;
    if (this.resyncTimer) this.d.clock.clearTimeout(this.resyncTimer);
    for (const reg of this.registrations) for (const off of reg.unsubscribe.splice(0)) off();
    const controllers = this.registrations.flatMap((r) => (r.controller ? [r.controller] : []));
    const results = await Promise.all(controllers.map((c) => c.stop(deadlineMs)));
    return results.every(Boolean);
  }

  private wire(reg: Registration): void {
    const controller = new Controller({
      reconciler: reg.reconciler,
      clock: this.d.clock,
      log: this.d.log,
      services: this.d.services,
      metrics: this.d.metrics,
      maxConcurrentReconciles: reg.spec.maxConcurrentReconciles ?? this.d.maxConcurrentReconciles,
      rateLimiter: reg.spec.rateLimiter,
    });
    const enqueue = (key: string): void => controller.enqueue(key);
    reg.controller = controller;
    reg.unsubscribe.push(this.d.informer(reg.spec.for).addHandler(enqueueObject(enqueue, reg.spec.predicate, reg.spec.concerns)));
    for (const w of reg.spec.watches ?? []) reg.unsubscribe.push(this.d.informer(w.resource, w.metadataOnly).addHandler(enqueueMapped(w.map, enqueue, w.predicate)));
    for (const source of reg.spec.sources ?? []) reg.unsubscribe.push(source(enqueue));
  }

  private enqueueAll(): void {
    for (const reg of this.registrations) {
      const informer = this.d.informer(reg.spec.for);
      const concerns = reg.spec.concerns;
      for (const key of informer.keys()) {
        const obj = concerns ? informer.getByKey(key) : undefined;
        if (!concerns || (obj && concerns(obj))) reg.controller?.enqueue(key);
      }
    }
  }

  /** Level-triggered safety net: every primary object is reconciled at least every resyncPeriod. */
  private scheduleResync(): void {
    this.resyncTimer = this.d.clock.setTimeout(() => {
      this.enqueueAll();
      this.scheduleResync();
    }, this.d.resyncPeriodMs);
  }
}
