// Sends one message to one Slack incoming webhook through the official client
// (@slack/webhook), behind an opossum breaker per webhook.
//
// What the client gives and what it does not (read from its source, v8): a non-2xx answer
// becomes IncomingWebhookHTTPError with statusCode and the body text (Slack's error code),
// but not the response headers, so Retry-After is out of reach; a request that got no answer
// becomes IncomingWebhookRequestError whose message includes the underlying fetch error.
// The client accepts a `fetch` option, so we hand it a fetch that records the last answer's
// status and Retry-After — the minimal wrap — and classify from that. Its own retries stay
// off: retries must survive a restart, so the outbox schedules them.
import CircuitBreaker from 'opossum';
import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import { classifyResponse, type SendOutcome } from './slack-errors.ts';
import { redact } from './redact.ts';
import type { SlackMessage } from './slack-message.ts';

export interface SenderOptions {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Breaker: open after this share of failures (5xx, timeouts) … */
  errorThresholdPercentage?: number;
  /** … among at least this many requests in the rolling window … */
  volumeThreshold?: number;
  /** … and try again (half-open) after this long. */
  resetTimeoutMs?: number;
  now?: () => number;
  /** Replaces global fetch (tests that count requests without a server). */
  fetch?: typeof fetch;
}

export interface Delivery {
  url: string;
  /** webhookId(url): keys the breaker. */
  webhook: string;
  message: SlackMessage;
  channel?: string;
  /** Aborts the request (operator shutdown). */
  signal?: AbortSignal;
}

/** Thrown inside the breaker for outcomes that count as failures; carries the outcome out. */
class Unavailable extends Error {
  readonly outcome: SendOutcome;
  constructor(outcome: SendOutcome) {
    super(outcome.kind === 'unavailable' ? outcome.detail : outcome.kind);
    this.outcome = outcome;
  }
}

export class SlackSender {
  private readonly opts: Required<Omit<SenderOptions, 'fetch'>> & { fetch: typeof fetch };
  private readonly breakers = new Map<string, CircuitBreaker<[Delivery], SendOutcome>>();

  constructor(opts: SenderOptions = {}) {
    this.opts = {
      timeoutMs: opts.timeoutMs ?? 10_000,
      errorThresholdPercentage: opts.errorThresholdPercentage ?? 50,
      volumeThreshold: opts.volumeThreshold ?? 3,
      resetTimeoutMs: opts.resetTimeoutMs ?? 30_000,
      now: opts.now ?? Date.now,
      fetch: opts.fetch ?? globalThis.fetch,
    };
  }

  /** Never throws: every result, including the breaker refusing, is a SendOutcome. */
  async send(delivery: Delivery): Promise<SendOutcome> {
    try {
      return await this.breaker(delivery.webhook).fire(delivery);
    } catch (err) {
      if (err instanceof Unavailable) return err.outcome;
      if ((err as { code?: string }).code === 'EOPENBREAKER') return { kind: 'breaker_open' };
      return { kind: 'unavailable', detail: redact(err instanceof Error ? err.message : String(err), delivery.url) };
    }
  }

  /** Stops the breakers' timers. */
  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }

  private breaker(webhook: string): CircuitBreaker<[Delivery], SendOutcome> {
    let breaker = this.breakers.get(webhook);
    if (!breaker) {
      breaker = new CircuitBreaker((d: Delivery) => this.post(d), {
        timeout: false, // the request has its own timeout
        errorThresholdPercentage: this.opts.errorThresholdPercentage,
        volumeThreshold: this.opts.volumeThreshold,
        resetTimeout: this.opts.resetTimeoutMs,
        rollingCountTimeout: 60_000,
      });
      this.breakers.set(webhook, breaker);
    }
    return breaker;
  }

  /** One POST; resolves with refusals (4xx, 429), throws Unavailable for 5xx and no answer. */
  private async post(d: Delivery): Promise<SendOutcome> {
    let answer: { status: number; retryAfter: string | null } | undefined;
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const signal = d.signal && init?.signal ? AbortSignal.any([d.signal, init.signal]) : (d.signal ?? init?.signal ?? null);
      const res = await this.opts.fetch(input, { ...init, signal });
      answer = { status: res.status, retryAfter: res.headers.get('retry-after') };
      return res;
    };
    const hook = new IncomingWebhook(d.url, { timeout: this.opts.timeoutMs, fetch: recordingFetch, retryConfig: { retries: 0 } });
    const args: IncomingWebhookSendArguments = { text: d.message.text, blocks: d.message.blocks, ...(d.channel ? { channel: d.channel } : {}) };
    try {
      await hook.send(args);
      return { kind: 'delivered' };
    } catch (err) {
      const body = (err as { body?: unknown }).body;
      if (answer) {
        const outcome = classifyResponse(answer.status, typeof body === 'string' ? body : '', answer.retryAfter, this.opts.now());
        if (outcome.kind === 'unavailable') throw new Unavailable(outcome);
        return outcome;
      }
      // No answer at all (refused, reset, timed out): the client's message may quote the URL.
      throw new Unavailable({ kind: 'unavailable', detail: redact(err instanceof Error ? err.message : String(err), d.url) });
    }
  }
}
