// Kubernetes Events (events.k8s.io/v1), built by small constructor functions and deduped
// by (object UID, reason, message) for a 2-minute window, as Karpenter does: a controller
// that reconciles every 30 s must not write the same event every 30 s. Publishing never
// throws — an event is a courtesy, and losing one must not fail a reconcile.
import { randomBytes } from 'node:crypto';
import { errorMessage } from './errors.ts';
import { apiVersionOf, collectionPath, Resources, type ResourceType } from './kube/resource.ts';
import type { Clock } from './clock.ts';
import type { KubeObject } from './keys.ts';
import type { Logger } from './logger.ts';
import type { RestClient } from './kube/rest.ts';
import { RateLimitedError } from './kube/token-bucket.ts';

export const REPORTING_CONTROLLER = 'costguard.io/operator';
const NOTE_MAX = 1024;

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventSpec {
  regarding: ObjectReference;
  type: EventType;
  /** CamelCase: "CeilingClamped". */
  reason: string;
  /** A human sentence. */
  message: string;
  /** What was done or failed, CamelCase; defaults to the reason. */
  action: string;
  related?: ObjectReference;
}

/** `dropped`: the client-side rate limit was saturated and gave protective writes the room. */
export type EventOutcome = 'emitted' | 'deduped' | 'failed' | 'dropped';

export interface EventRecorder {
  publish(event: EventSpec): Promise<EventOutcome>;
}

export function objectReference(resource: ResourceType, obj: KubeObject): ObjectReference {
  const meta = obj.metadata ?? {};
  return {
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    name: meta.name ?? '',
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    ...(meta.uid ? { uid: meta.uid } : {}),
  };
}

export function normalEvent(regarding: ObjectReference, reason: string, message: string, action = reason): EventSpec {
  return { regarding, type: 'Normal', reason, message, action };
}

export function warningEvent(regarding: ObjectReference, reason: string, message: string, action = reason): EventSpec {
  return { regarding, type: 'Warning', reason, message, action };
}

export function microTime(now: number): string {
  return new Date(now).toISOString().replace(/Z$/, '000Z');
}

export interface RecorderOptions {
  rest: Pick<RestClient, 'create'>;
  clock: Clock;
  log: Logger;
  /** The pod name (events.k8s.io reportingInstance). */
  reportingInstance: string;
  reportingController?: string;
  dedupeWindowMs?: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, number>();
  private readonly opts: RecorderOptions;
  private readonly windowMs: number;

  constructor(opts: RecorderOptions) {
    this.opts = opts;
    this.windowMs = opts.dedupeWindowMs ?? 120_000;
  }

  async publish(event: EventSpec): Promise<EventOutcome> {
    const now = this.opts.clock.now();
    const key = dedupeKey(event);
    this.prune(now);
    if (this.seen.has(key)) return 'deduped';
    this.seen.set(key, now + this.windowMs);
    try {
      const namespace = event.regarding.namespace ?? 'default';
      await this.opts.rest.create(collectionPath(Resources.events, namespace), this.body(event, namespace, now));
      return 'emitted';
    } catch (err) {
      // Let the next attempt through rather than suppressing an event that never landed.
      this.seen.delete(key);
      // Dropped by design under load: a warning per event would add to the pressure.
      if (err instanceof RateLimitedError) return 'dropped';
      this.opts.log.warn({ reason: event.reason, object: event.regarding.name, error: errorMessage(err) }, 'could not publish event');
      return 'failed';
    }
  }

  private prune(now: number): void {
    for (const [key, expires] of this.seen) if (expires <= now) this.seen.delete(key);
  }

  private body(event: EventSpec, namespace: string, now: number): Record<string, unknown> {
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: eventName(event.regarding.name, now), namespace },
      eventTime: microTime(now),
      reportingController: this.opts.reportingController ?? REPORTING_CONTROLLER,
      reportingInstance: this.opts.reportingInstance,
      action: event.action,
      reason: event.reason,
      note: truncateNote(event.message),
      type: event.type,
      regarding: event.regarding,
      ...(event.related ? { related: event.related } : {}),
    };
  }
}

/** The API server limits a note to 1024 bytes of UTF-8 (not characters): "→" takes three. */
export function truncateNote(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= NOTE_MAX) return message;
  let out = '';
  let bytes = 0;
  for (const ch of message) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > NOTE_MAX - 3) break;
    out += ch;
    bytes += size;
  }
  return `${out}...`;
}

/**
 * "<object>.<hex time><hex random>", as client-go names events. generateName cannot be
 * used: "<object>." ends with a dot, which the API server rejects as a name prefix.
 */
export function eventName(objectName: string, now: number): string {
  const suffix = `${now.toString(16)}${randomBytes(3).toString('hex')}`;
  return `${objectName.slice(0, 253 - suffix.length - 1)}.${suffix}`;
}

export function dedupeKey(event: EventSpec): string {
  const r = event.regarding;
  const id = r.uid ?? `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  return `${id}\u0000${event.reason}\u0000${event.message}`;
}
