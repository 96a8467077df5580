// A shared informer for one resource type: one healing Reflector per watched namespace (or
// one for all namespaces / cluster scope), one cache view, and fan-out to event handlers.
// Handlers run synchronously and must only enqueue keys; a throwing handler is logged and
// does not stop the others or the informer.
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeAccess } from '../kube/access.ts';
import { namespacedKey, objectKey, type KubeObject } from '../keys.ts';
import { resourceName, type ResourceType } from '../kube/resource.ts';
import { Reflector } from './reflector.ts';
import type { ListFn, ReflectorTimings, WatchFn } from './types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { ContentType, type RestClient } from '../kube/rest.ts';
import type { StoreListener } from './store.ts';

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  resource: ResourceType;
  /** Namespaces to watch; empty = all. Ignored for cluster-scoped resources. */
  namespaces: readonly string[];
  list: ListFn;
  watch: WatchFn;
  clock: Clock;
  log: Logger;
  timings?: Partial<ReflectorTimings>;
  onRestart?: (resource: string, reason: string) => void;
}

export class Informer<T extends KubeObject> {
  readonly resource: ResourceType;
  private readonly reflectors = new Map<string, Reflector<T>>();
  private readonly handlers = new Set<EventHandler<T>>();
  private syncWaiters: Array<() => void> = [];
  private readonly log: Logger;

  constructor(opts: InformerOptions) {
    this.resource = opts.resource;
    this.log = opts.log;
    const scopes = opts.resource.namespaced && opts.namespaces.length > 0 ? opts.namespaces : [undefined];
    const listener = this.listener();
    for (const namespace of scopes) {
      const reflector = new Reflector<T>({
        resource: opts.resource,
        namespace,
        list: opts.list,
        watch: opts.watch,
        clock: opts.clock,
        log: opts.log,
        listener,
        timings: opts.timings,
        onRestart: (reason) => opts.onRestart?.(resourceName(opts.resource), reason),
        onSynced: () => this.checkSynced(),
      });
      this.reflectors.set(namespace ?? '', reflector);
    }
  }

  /** Registers a handler; returns a function that removes it. */
  addHandler(handler: EventHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.getByKey(namespacedKey(this.resource.namespaced ? namespace : undefined, name));
  }

  getByKey(key: string): T | undefined {
    for (const r of this.reflectors.values()) {
      const obj = r.store.get(key);
      if (obj) return obj;
    }
    return undefined;
  }

  list(namespace?: string): T[] {
    const all = [...this.reflectors.values()].flatMap((r) => r.store.list());
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  keys(): string[] {
    return [...this.reflectors.values()].flatMap((r) => r.store.keys());
  }

  hasSynced(): boolean {
    return [...this.reflectors.values()].every((r) => r.hasSynced());
  }

  /** True while an optional resource's API is not installed. */
  isAbsent(): boolean {
    return [...this.reflectors.values()].some((r) => r.isAbsent());
  }

  waitForSync(): Promise<void> {
    if (this.hasSynced()) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    for (const r of this.reflectors.values()) r.start();
  }

  stop(): void {
    for (const r of this.reflectors.values()) r.stop();
  }

  private checkSynced(): void {
    if (!this.hasSynced()) return;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w();
  }

  private listener(): StoreListener<T> {
    return {
      add: (obj) => this.dispatch(obj, (h) => h.add?.(obj)),
      update: (old, obj) => this.dispatch(obj, (h) => h.update?.(old, obj)),
      delete: (obj) => this.dispatch(obj, (h) => h.delete?.(obj)),
    };
  }

  private dispatch(obj: T, call: (h: EventHandler<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.log.error({ err, resource: resourceName(this.resource), key: objectKey(obj) }, 'event handler threw');
      }
    }
  }
}

/**
 * The list and watch functions backed by a real API server. `metadataOnly` asks for
 * PartialObjectMetadata (lists as PartialObjectMetadataList): the API server strips spec and
 * status before sending, so neither the wire nor the cache carries them.
 */
export function kubeListWatch(kubeConfig: KubeAccess, rest: RestClient, opts: { metadataOnly?: boolean } = {}): { list: ListFn; watch: WatchFn } {
  const watcher = new Watch((opts.metadataOnly ? acceptingMetadata(kubeConfig) : kubeConfig) as KubeConfig);
  const accept = opts.metadataOnly ? ContentType.metadataList : ContentType.json;
  return {
    list: (path, query) => rest.get(path, { query, accept }),
    watch: (path, query, onEvent, onDone) => watcher.watch(path, query, onEvent, onDone),
  };
}

/**
 * client-node's Watch uses only getCurrentCluster() and applySecurityAuthentication() of its
 * config and sends the headers the latter set: so the Accept header goes in there.
 */
function acceptingMetadata(access: KubeAccess): KubeAccess {
  return {
    getCurrentCluster: () => access.getCurrentCluster(),
    applySecurityAuthentication: async (ctx) => {
      await access.applySecurityAuthentication(ctx);
      ctx.setHeaderParam('Accept', ContentType.metadata);
    },
  };
}
