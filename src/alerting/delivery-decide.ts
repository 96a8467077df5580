// Pure: what a send outcome does to the outbox, and whether the head message may go now.
import type { SendOutcome } from './slack-errors.ts';
import { problemMessage, problemReason } from './slack-errors.ts';
import { head, markDelivered, markParked, markRejected, markRetry, type Outbox } from './outbox.ts';

/** A webhook that refuses everything is tried again this long after its last refusal. */
export const PARK_MS = 15 * 60_000;

export function applyOutcome(outbox: Outbox, id: string, outcome: SendOutcome, at: { nowMs: number; webhook: string }): Outbox {
  switch (outcome.kind) {
    case 'delivered':
      return markDelivered(outbox, id);
    case 'unavailable':
      return markRetry(outbox, id, at.nowMs);
    case 'payload_rejected':
      return markRejected(outbox, id, problem(outcome.code, 'payload', at));
    case 'webhook_rejected':
      return markParked(outbox, problem(outcome.code, 'webhook', at));
    default:
      // rate_limited and breaker_open: the message waits as it is; the gate holds the pace.
      return outbox;
  }
}

function problem(code: string, scope: 'webhook' | 'payload', at: { nowMs: number; webhook: string }) {
  return { reason: problemReason(code), message: problemMessage(code, scope), webhook: at.webhook, scope, at: at.nowMs };
}

/** Milliseconds until the head message may be sent to `webhook` (0: now), or undefined when none waits. */
export function waitForHead(outbox: Outbox, webhook: string, nowMs: number): number | undefined {
  const next = head(outbox);
  if (!next) return undefined;
  const p = outbox.problem;
  const parkedUntil = p?.scope === 'webhook' && p.webhook === webhook ? p.at + PARK_MS : 0;
  return Math.max(0, parkedUntil - nowMs, (next.notBefore ?? 0) - nowMs);
}
