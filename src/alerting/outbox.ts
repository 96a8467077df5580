// Pure: the alert outbox of one guard and every change made to it. The outbox is the memory
// of the alerting path — which incidents fire, when each was last announced (dedupe per
// repeatInterval), the Slack messages not yet delivered, and the last delivery problem — so
// it is persisted (outbox-store.ts) and an operator restart loses nothing. Every function
// returns a new outbox; none reads a clock.
import type { Alert, Severity } from './notifier.ts';

export const OUTBOX_VERSION = 1;
/** Undelivered messages kept per guard; past it the oldest are dropped (and counted). */
export const MAX_PENDING = 50;
/** Retry schedule after a 5xx or a network error: 1 s, 2 s, 4 s … capped at 5 min. */
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 5 * 60_000;
/** Entries longer than this are cut before they are stored (the ConfigMap holds at most 1 MiB). */
const MAX_ENTRY_CHARS = 1000;
const MAX_ENTRIES = 30;

export interface IncidentRecord {
  severity: Severity;
  title: string;
  /** When it started firing (epoch ms). */
  since: number;
  /** When it was last announced (epoch ms); the next announcement waits for repeatInterval. */
  announcedAt: number;
}

export interface OutboxMessage {
  id: string;
  incident: string;
  state: 'FIRING' | 'RESOLVED';
  severity: Severity;
  title: string;
  evidence?: string[];
  actions?: string[];
  undo?: string;
  summary?: string;
  /** When the incident started firing (epoch ms): with `id`, what tells a resend from a new message. */
  since?: number;
  createdAt: number;
  /** Delivery attempts that failed with a retryable error. */
  attempts: number;
  /** Not to be sent before this time (retry backoff). */
  notBefore?: number;
}

export interface DeliveryProblem {
  /** CamelCase condition reason, e.g. SlackInvalidPayload. */
  reason: string;
  /** A sentence; never contains the webhook URL. */
  message: string;
  /** Which webhook it concerns (a hash prefix, never the URL), so a new URL clears it. */
  webhook: string;
  /** 'webhook': the webhook refuses everything (parked); 'payload': one message was refused. */
  scope: 'webhook' | 'payload';
  at: number;
}

export interface Outbox {
  version: number;
  seq: number;
  incidents: Record<string, IncidentRecord>;
  pending: OutboxMessage[];
  problem?: DeliveryProblem;
}

export function emptyOutbox(): Outbox {
  return { version: OUTBOX_VERSION, seq: 0, incidents: {}, pending: [] };
}

export type Announcement = 'new' | 'repeat' | undefined;

export interface Change {
  outbox: Outbox;
  /** True when the outbox differs from the input (and must be written). */
  changed: boolean;
  /** Messages dropped because the outbox was full. */
  dropped: number;
}

export interface FireResult extends Change {
  announced: Announcement;
}

export interface FireOptions {
  nowMs: number;
  repeatMs: number;
  /** Queue a Slack message (spec.alerts.slack is set)? Without it only the incident is tracked. */
  slack: boolean;
}

const clip = (items: readonly string[]): string[] => items.slice(0, MAX_ENTRIES).map((s) => (s.length > MAX_ENTRY_CHARS ? `${s.slice(0, MAX_ENTRY_CHARS - 1)}…` : s));

function enqueue(outbox: Outbox, message: Omit<OutboxMessage, 'id' | 'attempts'>): { outbox: Outbox; dropped: number } {
  const seq = outbox.seq + 1;
  const pending = [...outbox.pending, { ...message, id: `${seq}`, attempts: 0 }];
  const dropped = Math.max(0, pending.length - MAX_PENDING);
  return { outbox: { ...outbox, seq, pending: pending.slice(dropped) }, dropped };
}

function firingMessage(alert: Alert, nowMs: number, since: number): Omit<OutboxMessage, 'id' | 'attempts'> {
  return {
    incident: alert.incident,
    since,
    state: 'FIRING',
    severity: alert.severity,
    title: alert.title,
    evidence: clip(alert.evidence),
    actions: clip(alert.actions),
    ...(alert.undo ? { undo: alert.undo.slice(0, MAX_ENTRY_CHARS) } : {}),
    createdAt: nowMs,
  };
}

/**
 * `alert` fires. A new incident is announced at once; one already firing is announced again
 * only when repeatInterval has passed since its last announcement. A FIRING message of the
 * same incident still waiting for delivery is refreshed in place, never queued twice.
 */
export function recordFire(outbox: Outbox, alert: Alert, opts: FireOptions): FireResult {
  const known = outbox.incidents[alert.incident];
  const announced: Announcement = !known ? 'new' : opts.nowMs - known.announcedAt >= opts.repeatMs ? 'repeat' : undefined;
  if (!announced) return { outbox, changed: false, dropped: 0, announced };
  const record: IncidentRecord = { severity: alert.severity, title: alert.title, since: known?.since ?? opts.nowMs, announcedAt: opts.nowMs };
  const next: Outbox = { ...outbox, incidents: { ...outbox.incidents, [alert.incident]: record } };
  if (!opts.slack) return { outbox: next, changed: true, dropped: 0, announced };
  const waiting = next.pending.findIndex((m) => m.incident === alert.incident && m.state === 'FIRING');
  if (waiting >= 0) {
    const pending = next.pending.map((m, i) => (i === waiting ? { ...m, ...firingMessage(alert, m.createdAt, record.since) } : m));
    return { outbox: { ...next, pending }, changed: true, dropped: 0, announced };
  }
  const queued = enqueue(next, firingMessage(alert, opts.nowMs, record.since));
  return { outbox: queued.outbox, changed: true, dropped: queued.dropped, announced };
}

/** RESOLVED for a firing incident; nothing for one that is not firing. */
export function recordResolve(outbox: Outbox, incident: string, summary: string, opts: { nowMs: number; slack: boolean }): FireResult {
  const known = outbox.incidents[incident];
  if (!known) return { outbox, changed: false, dropped: 0, announced: undefined };
  const incidents = { ...outbox.incidents };
  delete incidents[incident];
  const next: Outbox = { ...outbox, incidents };
  if (!opts.slack) return { outbox: next, changed: true, dropped: 0, announced: 'new' };
  const message = { incident, state: 'RESOLVED' as const, severity: known.severity, title: known.title, summary: summary.slice(0, MAX_ENTRY_CHARS), since: known.since, createdAt: opts.nowMs };
  const queued = enqueue(next, message);
  return { outbox: queued.outbox, changed: true, dropped: queued.dropped, announced: 'new' };
}

/** The message to send next: the oldest, in order (RESOLVED never overtakes its FIRING). */
export function head(outbox: Outbox): OutboxMessage | undefined {
  return outbox.pending[0];
}

function without(outbox: Outbox, id: string): Outbox {
  return { ...outbox, pending: outbox.pending.filter((m) => m.id !== id) };
}

/** Slack took the message: it leaves the outbox, and a past problem with this webhook is over. */
export function markDelivered(outbox: Outbox, id: string): Outbox {
  const next = without(outbox, id);
  delete next.problem;
  return next;
}

export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** A retryable failure (5xx, network): try again after an exponential backoff. */
export function markRetry(outbox: Outbox, id: string, nowMs: number): Outbox {
  const pending = outbox.pending.map((m) => {
    if (m.id !== id) return m;
    const attempts = m.attempts + 1;
    return { ...m, attempts, notBefore: nowMs + retryDelayMs(attempts) };
  });
  return { ...outbox, pending };
}

/** Slack refused this message for what it is (invalid_payload): it is dropped, the problem kept. */
export function markRejected(outbox: Outbox, id: string, problem: DeliveryProblem): Outbox {
  return { ...without(outbox, id), problem };
}

/** The webhook refuses everything (no_service, channel_not_found …): messages wait, the problem is kept. */
export function markParked(outbox: Outbox, problem: DeliveryProblem): Outbox {
  return { ...outbox, problem };
}

/** A problem that belongs to another webhook URL than the current one is over. */
export function forgetStaleProblem(outbox: Outbox, webhook: string | undefined): Outbox {
  if (!outbox.problem || outbox.problem.webhook === webhook) return outbox;
  const next = { ...outbox };
  delete next.problem;
  return next;
}

/** Parses a stored outbox; anything unreadable becomes an empty outbox (and is reported). */
export function parseOutbox(text: string | undefined): { outbox: Outbox; corrupt: boolean } {
  if (!text) return { outbox: emptyOutbox(), corrupt: false };
  try {
    const o = JSON.parse(text) as Partial<Outbox>;
    if (o.version !== OUTBOX_VERSION || !Array.isArray(o.pending) || typeof o.incidents !== 'object' || o.incidents === null) {
      return { outbox: emptyOutbox(), corrupt: true };
    }
    return { outbox: { version: OUTBOX_VERSION, seq: Number(o.seq) || 0, incidents: o.incidents, pending: o.pending, ...(o.problem ? { problem: o.problem } : {}) }, corrupt: false };
  } catch {
    return { outbox: emptyOutbox(), corrupt: true };
  }
}
