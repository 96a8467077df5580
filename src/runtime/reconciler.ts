// The contract between the runtime and a controller (controller-runtime's Reconciler):
// the runtime hands over a key, the controller reads the latest state itself, acts, and
// says when to look again. Errors are retried with backoff unless they are TerminalError.
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { EventRecorder } from './events.ts';
import type { StatusWriter } from './status.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (the backoff is reset). */
  requeueAfter?: number;
  /** Reconcile again with rate-limited backoff, without counting as an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  readonly controller: string;
  /** Unique per reconcile; also on every log line of `log`. */
  readonly reconcileID: string;
  /** Child logger with controller, namespace, name and reconcileID. */
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: EventRecorder;
  readonly status: StatusWriter;
  /** Aborted when shutdown's drain deadline passes; pass it to long I/O. */
  readonly signal: AbortSignal;
}

export interface Reconciler {
  /** Short, stable, used in metrics and logs: "ceilings", "runaway". */
  readonly name: string;
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void>;
}

/** What every reconcile context shares; the controller adds the per-reconcile fields. */
export interface ReconcileServices {
  events: EventRecorder;
  status: StatusWriter;
}
