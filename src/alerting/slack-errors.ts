// Pure: what a Slack incoming-webhook answer means for delivery. Slack answers 200 "ok"; a
// refusal carries a short error code in the body (invalid_payload, no_service,
// channel_not_found, action_prohibited …); 429 carries Retry-After; 5xx is Slack's own trouble.
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors

export type SendOutcome =
  | { kind: 'delivered' }
  /** 429: wait this long before the next request to this webhook. */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** 5xx, a timeout or no answer: retry the message with backoff. */
  | { kind: 'unavailable'; detail: string }
  /** The breaker for this webhook is open: no request was made. */
  | { kind: 'breaker_open' }
  /** Slack refused this message (a 400): retrying the same payload cannot help. */
  | { kind: 'payload_rejected'; code: string }
  /** The webhook itself refuses everything (403, 404, 410 …): park it until it changes. */
  | { kind: 'webhook_rejected'; code: string };

/** Retry-After when Slack sends none or an unreadable one. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Slack's error code from the body, or http_<status>: only [a-z_], so it is safe to echo. */
export function slackErrorCode(status: number, body: string): string {
  const code = body.trim();
  return /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : `http_${status}`;
}

/** Retry-After is seconds (or an HTTP date); bounded so a bad header cannot park us for days. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number {
  if (!header) return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
  if (!Number.isFinite(ms) || ms < 0) return DEFAULT_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, Math.ceil(ms)));
}

export function classifyResponse(status: number, body: string, retryAfter: string | null, nowMs: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(retryAfter, nowMs) };
  if (status >= 500) return { kind: 'unavailable', detail: `HTTP ${status}` };
  const code = slackErrorCode(status, body);
  if (status === 400) return { kind: 'payload_rejected', code };
  return { kind: 'webhook_rejected', code };
}

/** "channel_not_found" → "SlackChannelNotFound": the condition reason that names the problem. */
export function problemReason(code: string): string {
  const pascal = code
    .split('_')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `Slack${pascal.replace(/^Http/, 'HTTP')}`;
}

const HINTS: Record<string, string> = {
  invalid_payload: 'Slack could not read a message CostGuard sent; the message was dropped. Please report it with the operator logs.',
  no_service: 'The webhook is disabled or revoked. Create a new incoming webhook and update the Secret.',
  channel_not_found: 'The webhook\'s channel is gone (or spec.alerts.slack.channel names one that does not exist).',
  action_prohibited: 'A Slack admin has restricted posting to this channel.',
  channel_is_archived: 'The webhook\'s channel is archived.',
  posting_to_general_channel_denied: 'Only admins may post to the workspace\'s general channel.',
  invalid_token: 'The webhook token is no longer valid. Create a new incoming webhook and update the Secret.',
  no_active_hooks: 'The webhook is disabled. Create a new incoming webhook and update the Secret.',
  team_disabled: 'The Slack workspace is disabled.',
};

export function problemMessage(code: string, scope: 'webhook' | 'payload'): string {
  const hint = HINTS[code] ?? (scope === 'payload' ? 'Slack refused a message; it was dropped.' : 'Slack refuses every message to this webhook; messages wait until the Secret changes.');
  return `Slack answered ${code}: ${hint}`;
}
