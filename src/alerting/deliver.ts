// Delivers a guard's queued Slack messages, oldest first, at the webhook's pace. Called by the
// alerts controller on every reconcile; it sends what is due now (a few messages at most) and
// says when to come back, so a reconcile never sleeps through a rate limit. A message leaves
// the outbox only after Slack said "ok"; if the operator stops in between, the next one sends it.
import type { CostGuard } from '../api/v1alpha1/index.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { applyOutcome, waitForHead } from './delivery-decide.ts';
import type { AlertMetrics } from './metrics.ts';
import { forgetStaleProblem, head, type Outbox, type OutboxMessage } from './outbox.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { SendOutcome } from './slack-errors.ts';
import { slackMessage, type SlackMessage } from './slack-message.ts';
import type { SlackSender } from './slack-sender.ts';
import type { WebhookGate } from './webhook-gate.ts';

/** Messages sent per reconcile at most; the rest wait for the requeue. */
const MAX_SENDS = 3;
/** How soon to look again when the breaker refused without a request. */
const BREAKER_RETRY_MS = 5000;

export interface DeliverDeps {
  store: OutboxStore;
  sender: SlackSender;
  gate: WebhookGate;
  clock: Clock;
  metrics: AlertMetrics;
}

export interface Webhook {
  url: string;
  id: string;
}

export interface DrainResult {
  outbox: Outbox;
  /** Come back after this long (messages are waiting). */
  requeueAfterMs?: number;
  /** The breaker for the webhook is open (Slack unavailable). */
  unavailable: boolean;
}

export interface DrainInput {
  guard: CostGuard;
  webhook: Webhook;
  log: Logger;
  signal?: AbortSignal;
}

export async function drain(deps: DeliverDeps, input: DrainInput): Promise<DrainResult> {
  let outbox = await deps.store.update(input.guard, (o) => forgetStaleProblem(o, input.webhook.id));
  let unavailable = false;
  for (let sent = 0; sent < MAX_SENDS && !input.signal?.aborted; sent++) {
    const message = head(outbox);
    const wait = waitForHead(outbox, input.webhook.id, deps.clock.now());
    if (!message || wait === undefined) return { outbox, unavailable };
    const gateWait = Math.max(wait, deps.gate.waitMs(input.webhook.id, deps.clock.now()));
    if (gateWait > 0) return { outbox, requeueAfterMs: gateWait, unavailable };
    deps.gate.reserve(input.webhook.id, deps.clock.now());
    const outcome = await send(deps, input, message);
    unavailable = outcome.kind === 'breaker_open';
    if (outcome.kind === 'breaker_open') return { outbox, requeueAfterMs: BREAKER_RETRY_MS, unavailable };
    outbox = await deps.store.update(input.guard, (o) => applyOutcome(o, message.id, outcome, { nowMs: deps.clock.now(), webhook: input.webhook.id }));
  }
  const wait = waitForHead(outbox, input.webhook.id, deps.clock.now());
  return { outbox, unavailable, ...(wait !== undefined ? { requeueAfterMs: Math.max(wait, deps.gate.waitMs(input.webhook.id, deps.clock.now()), 1) } : {}) };
}

/** The Block Kit message for an outbox entry of this guard. */
export function messageFor(guard: CostGuard, m: OutboxMessage): SlackMessage {
  const mention = guard.spec.alerts?.slack?.mention;
  const { evidence, actions, undo, summary } = m;
  return slackMessage({
    state: m.state,
    guard: `${guard.metadata.namespace}/${guard.metadata.name}`,
    incident: m.incident,
    severity: m.severity,
    title: m.title,
    messageId: m.id,
    ...defined({ evidence, actions, undo, summary, mention, since: m.since === undefined ? undefined : new Date(m.since).toISOString().replace(/\.\d{3}Z$/, 'Z') }),
  });
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function send(deps: DeliverDeps, input: DrainInput, m: OutboxMessage): Promise<SendOutcome> {
  const { guard, webhook } = input;
  const channel = guard.spec.alerts?.slack?.channel;
  const outcome = await deps.sender.send({ url: webhook.url, webhook: webhook.id, message: messageFor(guard, m), ...defined({ channel, signal: input.signal }) });
  if (outcome.kind === 'rate_limited') deps.gate.holdUntil(webhook.id, deps.clock.now() + outcome.retryAfterMs);
  deps.metrics.sent.inc({ result: outcome.kind });
  const level = outcome.kind === 'delivered' ? 'info' : 'warn';
  // The webhook is named by its id only; the URL never reaches a log line.
  input.log[level]({ incident: m.incident, state: m.state, message: m.id, webhook: webhook.id, result: outcome.kind, ...detail(outcome) }, 'slack delivery');
  return outcome;
}

function detail(o: SendOutcome): Record<string, unknown> {
  if (o.kind === 'rate_limited') return { retryAfterMs: o.retryAfterMs };
  if (o.kind === 'unavailable') return { detail: o.detail };
  if (o.kind === 'payload_rejected' || o.kind === 'webhook_rejected') return { code: o.code };
  return {};
}
