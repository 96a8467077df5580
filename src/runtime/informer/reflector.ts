// List-then-watch for one collection path, healing itself. client-node's ListWatch stops for
// good on any error but 410, cannot be told to relist, and does not hand the old object to
// update handlers; so we keep client-node's Watch (streaming, auth, its 30 s inactivity
// timeout) and own the loop:
//   - any error (list or watch)        → retry with exponential backoff (1 s → 30 s, jitter)
//   - 410 Gone / ERROR event code 410  → relist now
//   - watch ended cleanly              → watch again from the last resourceVersion
//   - relist timer                     → relist (a missed delete cannot hide for long)
//   - no event, bookmark or clean server-side close for staleAfter → assume a watch that is
//     connected but dead (client-node's inactivity timeout keeps firing) and relist
//   - 404 on an optional resource (CRD not installed) → logged once, rechecked slowly
// Every attempt has a generation number; callbacks from an older attempt are ignored.
import { jitter, type TimerHandle } from '../clock.ts';
import { errorMessage, isGone, isNotFound, statusCodeOf } from '../errors.ts';
import { collectionPath, resourceName } from '../kube/resource.ts';
import { listAllPages, normalize } from './list.ts';
import { DEFAULT_TIMINGS, type ReflectorOptions, type ReflectorTimings } from './types.ts';
import { Store } from './store.ts';
import type { KubeObject } from '../keys.ts';
import type { KubeList, Query } from '../kube/rest.ts';

export class Reflector<T extends KubeObject> {
  readonly store: Store<T>;
  private readonly o: ReflectorOptions<T>;
  private readonly t: ReflectorTimings;
  private readonly path: string;
  private gen = 0;
  private rv = '';
  private handle: { abort(): void } | undefined;
  private timers: { relist?: TimerHandle; retry?: TimerHandle; watchdog?: TimerHandle } = {};
  private failures = 0;
  private expired = false;
  private lastActivity = 0;
  private watchStartedAt = 0;
  private stopped = true;
  private synced = false;
  private absent = false;

  constructor(opts: ReflectorOptions<T>) {
    this.o = opts;
    this.t = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.path = collectionPath(opts.resource, opts.namespace);
    this.store = new Store<T>(opts.listener);
  }

  /** True after the first successful list (or once an optional resource is known absent). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** True while an optional resource's API is not installed. */
  isAbsent(): boolean {
    return this.absent;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lastActivity = this.o.clock.now();
    this.scheduleWatchdog();
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.gen++;
    this.handle?.abort();
    this.handle = undefined;
    for (const h of Object.values(this.timers)) if (h) this.o.clock.clearTimeout(h);
    this.timers = {};
  }

  private nextAttempt(): number {
    this.handle?.abort();
    this.handle = undefined;
    this.clearTimer('retry');
    return ++this.gen;
  }

  private async relist(): Promise<void> {
    const gen = this.nextAttempt();
    let list: KubeList<T>;
    try {
      list = await listAllPages<T>(this.o.list, this.path, this.t.pageSize, (o) => normalize(o, this.o.resource));
    } catch (err) {
      if (gen === this.gen) this.onListError(err);
      return;
    }
    if (gen !== this.gen) return;
    this.store.replace(list.items);
    this.rv = list.metadata?.resourceVersion ?? '';
    this.failures = 0;
    this.absent = false;
    this.touch();
    this.markSynced();
    this.scheduleRelist();
    await this.watchFrom(gen);
  }

  private async watchFrom(gen: number): Promise<void> {
    const timeoutSeconds = Math.floor(20 + (this.o.random ?? Math.random)() * 8);
    const query: Query = { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds };
    this.watchStartedAt = this.o.clock.now();
    try {
      const handle = await this.o.watch(this.path, query, (type, obj) => this.onEvent(gen, type, obj), (err) => this.onDone(gen, err));
      if (gen === this.gen) this.handle = handle;
      else handle.abort();
    } catch (err) {
      if (gen === this.gen) this.onWatchError(err);
    }
  }

  private onEvent(gen: number, type: string, raw: unknown): void {
    if (gen !== this.gen) return;
    this.touch();
    const obj = raw as T & { code?: number };
    if (type === 'ERROR') {
      if (obj.code === 410) this.expired = true;
      else this.o.log.warn({ resource: resourceName(this.o.resource), status: raw }, 'watch error event');
      return;
    }
    if (type === 'ADDED' || type === 'MODIFIED') this.store.upsert(normalize(obj, this.o.resource));
    else if (type === 'DELETED') this.store.remove(normalize(obj, this.o.resource));
    this.rv = obj.metadata?.resourceVersion ?? this.rv;
  }

  private onDone(gen: number, err: unknown): void {
    if (gen !== this.gen || this.stopped) return;
    this.handle = undefined;
    if (this.expired || isGone(err)) {
      this.expired = false;
      this.restart('expired');
    } else if (err && !isTimeout(err)) {
      this.onWatchError(err);
    } else if (this.o.clock.now() - this.watchStartedAt < 1000) {
      // A watch that closes at once, again and again, must not become a hot loop.
      this.onWatchError(new Error('watch closed right after it opened'));
    } else {
      // The server ending a watch at its timeoutSeconds proves it still serves this resource
      // (quiet watches get no bookmarks in practice); a client-side TimeoutError does not.
      if (!err) this.touch();
      void this.watchFrom(this.nextAttempt());
    }
  }

  private onListError(err: unknown): void {
    if (this.o.resource.optional && isNotFound(err)) return this.onAbsent();
    this.failures++;
    this.o.log.warn({ resource: resourceName(this.o.resource), namespace: this.o.namespace, error: errorMessage(err), status: statusCodeOf(err), failures: this.failures }, 'list failed; retrying with backoff');
    this.scheduleRetry('list-error');
  }

  private onWatchError(err: unknown): void {
    this.failures++;
    this.o.log.warn({ resource: resourceName(this.o.resource), namespace: this.o.namespace, error: errorMessage(err), failures: this.failures }, 'watch failed; relisting with backoff');
    this.scheduleRetry('watch-error');
  }

  private onAbsent(): void {
    if (!this.absent) {
      this.o.log.info({ resource: resourceName(this.o.resource), retryMs: this.t.absentRetryMs }, 'optional API not installed; checking again later');
    }
    this.absent = true;
    this.store.replace([]);
    this.markSynced();
    this.clearTimer('relist');
    this.timers.retry = this.o.clock.setTimeout(() => void this.relist(), this.t.absentRetryMs);
  }

  private restart(reason: string): void {
    // The periodic relist is routine; only restarts caused by trouble are counted.
    if (reason !== 'periodic') this.o.onRestart?.(reason);
    this.o.log.info({ resource: resourceName(this.o.resource), namespace: this.o.namespace, reason }, 'relisting');
    void this.relist();
  }

  private scheduleRetry(reason: string): void {
    const exp = Math.min(this.t.backoffBaseMs * 2 ** (this.failures - 1), this.t.backoffMaxMs);
    const delay = jitter(exp, 0.2, this.o.random);
    this.o.onRestart?.(reason);
    this.nextAttempt();
    this.timers.retry = this.o.clock.setTimeout(() => void this.relist(), delay);
  }

  private scheduleRelist(): void {
    this.clearTimer('relist');
    const delay = jitter(this.t.relistPeriodMs, 0.1, this.o.random);
    this.timers.relist = this.o.clock.setTimeout(() => this.restart('periodic'), delay);
  }

  private scheduleWatchdog(): void {
    const due = this.lastActivity + this.t.staleAfterMs - this.o.clock.now();
    this.timers.watchdog = this.o.clock.setTimeout(() => this.checkStale(), Math.max(due, 1000));
  }

  private checkStale(): void {
    if (this.stopped) return;
    // Only a live watch can be stale; a pending retry or an absent API is already handled.
    const watching = this.handle !== undefined && this.timers.retry === undefined;
    if (watching && this.o.clock.now() - this.lastActivity >= this.t.staleAfterMs) {
      this.touch();
      this.restart('stale');
    }
    this.scheduleWatchdog();
  }

  private clearTimer(name: 'relist' | 'retry'): void {
    const h = this.timers[name];
    if (h) this.o.clock.clearTimeout(h);
    this.timers[name] = undefined;
  }

  private touch(): void {
    this.lastActivity = this.o.clock.now();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.o.onSynced?.();
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}
