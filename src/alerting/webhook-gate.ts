// Pace per webhook, shared by every guard that posts to it: at most one request per
// interval (Slack allows about one message per second per webhook), and none before a 429's
// Retry-After has passed. In memory: right after a restart or a leader change the first
// request may follow the previous operator's last one by less than the interval (once; a 429
// then is honoured like any other). Reservation is synchronous, so guards reconciled in
// parallel never take the same slot.

/** 1 s plus a margin for jitter between our clock and Slack's. */
export const DEFAULT_INTERVAL_MS = 1100;

export type Reservation = { ok: true } | { ok: false; waitMs: number };

export class WebhookGate {
  private readonly intervalMs: number;
  private readonly nextAt = new Map<string, number>();

  constructor(intervalMs = DEFAULT_INTERVAL_MS) {
    this.intervalMs = intervalMs;
  }

  /** Takes the webhook's next slot if it is due at `nowMs`, else says how long to wait. */
  reserve(webhook: string, nowMs: number): Reservation {
    const due = this.nextAt.get(webhook) ?? 0;
    if (nowMs < due) return { ok: false, waitMs: due - nowMs };
    this.nextAt.set(webhook, nowMs + this.intervalMs);
    return { ok: true };
  }

  /** After a 429: nothing to this webhook until `untilMs`. */
  holdUntil(webhook: string, untilMs: number): void {
    this.nextAt.set(webhook, Math.max(untilMs, this.nextAt.get(webhook) ?? 0));
  }

  /** Time until the webhook's next slot (0 when due). */
  waitMs(webhook: string, nowMs: number): number {
    return Math.max(0, (this.nextAt.get(webhook) ?? 0) - nowMs);
  }
}
