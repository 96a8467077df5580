// The reconcile loop: N workers take keys from one WorkQueue and apply the requeue rules in
// one place (controller-runtime's reconcileHandler):
//   thrown error      → rate-limited requeue (per-key backoff, max'd with the global bucket)
//   TerminalError     → recorded, not retried, backoff forgotten
//   409 Conflict      → rate-limited requeue, logged at debug (someone else wrote first)
//   { requeueAfter }  → backoff forgotten, timed requeue
//   { requeue: true } → rate-limited requeue, not an error
//   success           → backoff forgotten
import { randomUUID } from 'node:crypto';
import { sleep, type Clock } from './clock.ts';
import { isConflict, isTerminal } from './errors.ts';
import { parseKey } from './keys.ts';
import { WorkQueue } from './workqueue.ts';
import type { Logger } from './logger.ts';
import type { ReconcileResultLabel, RuntimeMetrics } from './metrics.ts';
import type { RateLimiter } from './ratelimiter.ts';
import type { ReconcileContext, ReconcileResult, ReconcileServices, Reconciler } from './reconciler.ts';

export interface ControllerOptions {
  reconciler: Reconciler;
  clock: Clock;
  log: Logger;
  services: ReconcileServices;
  metrics?: RuntimeMetrics;
  maxConcurrentReconciles?: number;
  rateLimiter?: RateLimiter;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly opts: ControllerOptions;
  private readonly concurrency: number;
  private workers: Array<Promise<void>> = [];
  private readonly abort = new AbortController();

  constructor(opts: ControllerOptions) {
    const concurrency = opts.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`maxConcurrentReconciles must be a positive integer, got ${concurrency}`);
    }
    this.opts = opts;
    this.name = opts.reconciler.name;
    this.concurrency = concurrency;
    this.queue = new WorkQueue(opts.clock, opts.rateLimiter);
    opts.metrics?.trackQueue(this.name, () => this.queue.len());
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  get started(): boolean {
    return this.workers.length > 0;
  }

  start(): void {
    if (this.started) return;
    this.workers = Array.from({ length: this.concurrency }, () => this.worker());
  }

  /**
   * Stops taking keys and waits for reconciles in flight, at most `deadlineMs`; past the
   * deadline their `ctx.signal` is aborted. Resolves true when everything finished in time.
   */
  async stop(deadlineMs: number): Promise<boolean> {
    const drained = this.queue.shutdownWithDrain().then(() => true);
    const timeout = new AbortController();
    const finished = await Promise.race([drained, sleep(this.opts.clock, deadlineMs, timeout.signal).then(() => false)]);
    timeout.abort();
    this.opts.metrics?.untrackQueue(this.name);
    if (finished) {
      await Promise.all(this.workers);
      return true;
    }
    // Past the deadline we stop waiting: the process is about to be killed anyway, and a
    // reconcile that ignores its signal must not hold up the lease release.
    this.abort.abort(new Error('shutdown deadline passed'));
    return false;
  }

  private async worker(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.reconcileHandler(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileHandler(key: string): Promise<void> {
    const ctx = this.context(key);
    const started = performance.now();
    let label: ReconcileResultLabel;
    try {
      const result = await this.opts.reconciler.reconcile(key, ctx);
      label = this.onResult(key, result ?? {});
    } catch (err) {
      label = this.onError(key, err, ctx.log);
    }
    const seconds = (performance.now() - started) / 1000;
    this.opts.metrics?.reconcileDuration.observe({ controller: this.name }, seconds);
    this.opts.metrics?.reconcileTotal.inc({ controller: this.name, result: label });
    ctx.log.debug({ result: label, durationMs: Math.round(seconds * 1000) }, 'reconciled');
  }

  private onResult(key: string, result: ReconcileResult): ReconcileResultLabel {
    if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, result.requeueAfter);
      return 'requeue_after';
    }
    if (result.requeue) {
      this.queue.addRateLimited(key);
      return 'requeue';
    }
    this.queue.forget(key);
    return 'success';
  }

  private onError(key: string, err: unknown, log: Logger): ReconcileResultLabel {
    if (isConflict(err)) {
      const delay = this.queue.addRateLimited(key);
      log.debug({ delayMs: delay }, 'conflict writing the object; requeued');
      return 'requeue';
    }
    this.opts.metrics?.reconcileErrors.inc({ controller: this.name });
    if (isTerminal(err)) {
      this.queue.forget(key);
      log.error({ err }, 'reconcile failed with a terminal error; not retrying');
      return 'error';
    }
    const delay = this.queue.addRateLimited(key);
    log.error({ err, delayMs: delay, retries: this.queue.numRequeues(key) }, 'reconcile failed; requeued with backoff');
    return 'error';
  }

  private context(key: string): ReconcileContext {
    const { namespace, name } = parseKey(key);
    const reconcileID = randomUUID();
    const log = this.opts.log.child({ controller: this.name, namespace, name, reconcileID });
    return {
      controller: this.name,
      reconcileID,
      log,
      clock: this.opts.clock,
      events: this.opts.services.events,
      status: this.opts.services.status,
      signal: this.abort.signal,
    };
  }
}
