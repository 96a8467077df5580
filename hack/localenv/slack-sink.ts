// A local HTTP server that answers as a Slack incoming webhook does
// (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors):
// 200 "ok" for a well-formed message; 400 "invalid_payload" for a body that is not JSON or has
// neither text nor blocks, and "invalid_blocks" past Slack's limits (50 blocks, 150 characters
// of header text, 3,000 of section or context text); 403/404 with "action_prohibited", "no_service" or
// "channel_not_found"; 429 with Retry-After; 500. Only the path /services/<token> exists,
// like a real webhook URL; other paths get 404 "no_service". Tests script the next answers
// and read what arrived, with the sink's own arrival timestamps.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  /** Arrival time (ms, the sink's clock). */
  at: number;
  path: string;
  body: unknown;
  /** Raw body text (for redaction checks). */
  raw: string;
  status: number;
  answer: string;
}

export interface ScriptedAnswer {
  status: number;
  /** Body text; defaults to Slack's code for the status. */
  body?: string;
  /** Retry-After header (seconds), for 429. */
  retryAfter?: number;
  /** Never answer (the client's timeout or abort ends it). */
  hang?: boolean;
}

const DEFAULT_BODY: Record<number, string> = { 200: 'ok', 400: 'invalid_payload', 403: 'action_prohibited', 404: 'no_service', 429: 'rate_limited', 500: 'internal_error' };

export const Answers = {
  ok: (): ScriptedAnswer => ({ status: 200 }),
  invalidPayload: (): ScriptedAnswer => ({ status: 400, body: 'invalid_payload' }),
  noService: (): ScriptedAnswer => ({ status: 404, body: 'no_service' }),
  channelNotFound: (): ScriptedAnswer => ({ status: 404, body: 'channel_not_found' }),
  actionProhibited: (): ScriptedAnswer => ({ status: 403, body: 'action_prohibited' }),
  rateLimited: (seconds: number): ScriptedAnswer => ({ status: 429, body: 'rate_limited', retryAfter: seconds }),
  serverError: (): ScriptedAnswer => ({ status: 500 }),
  hang: (): ScriptedAnswer => ({ status: 0, hang: true }),
};

export interface SlackPayload {
  text?: string;
  channel?: string;
  blocks?: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
}

/** Slack's own checks on a message, as far as the tests need them. */
function validate(raw: string): { status: number; body: string; parsed: unknown } {
  let parsed: SlackPayload;
  try {
    parsed = JSON.parse(raw) as SlackPayload;
  } catch {
    return { status: 400, body: 'invalid_payload', parsed: undefined };
  }
  if (!parsed || (typeof parsed.text !== 'string' && !Array.isArray(parsed.blocks))) return { status: 400, body: 'invalid_payload', parsed };
  const blocks = parsed.blocks ?? [];
  const limit = (b: (typeof blocks)[number]): number => (b.type === 'header' ? 150 : 3000);
  const tooLong = blocks.some((b) => (b.text?.text.length ?? 0) > limit(b) || (b.elements ?? []).some((e) => e.text.length > 3000));
  if (blocks.length > 50 || tooLong) return { status: 400, body: 'invalid_blocks', parsed };
  return { status: 200, body: 'ok', parsed };
}

export class SlackSink {
  readonly token: string;
  readonly requests: SinkRequest[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private fallback: ScriptedAnswer | undefined;
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private listeners: Array<() => void> = [];

  constructor(token = 'T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX') {
    this.token = token;
  }

  /** The webhook URL (a secret in real life: tests grep for it). */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/services/${this.token}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers the next requests with these, in order; then `always` (if set) or Slack's own check. */
  next(...answers: ScriptedAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  /** Answers every request (after the script) with this; undefined restores Slack's own check. */
  always(answer: ScriptedAnswer | undefined): this {
    this.fallback = answer;
    return this;
  }

  /** Requests the sink answered 200. */
  delivered(): SinkRequest[] {
    return this.requests.filter((r) => r.status === 200);
  }

  /** Resolves once `predicate` holds for the recorded requests (checked on each arrival). */
  waitFor(what: string, predicate: (requests: SinkRequest[]) => boolean, timeoutMs = 30_000): Promise<void> {
    if (predicate(this.requests)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`slack sink: timed out waiting for ${what}; got ${this.requests.length} request(s): ${this.requests.map((r) => r.status).join(',')}`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate(this.requests)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** The most requests that arrived within any window of `windowMs` (sliding, by arrival time). */
  maxInWindow(windowMs = 1000): number {
    const times = this.requests.map((r) => r.at).sort((a, b) => a - b);
    let max = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= windowMs) j++;
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    const scripted = this.script.shift() ?? this.fallback;
    const checked = validate(raw);
    const entry: SinkRequest = { at, path, body: checked.parsed, raw, status: 0, answer: '' };
    this.requests.push(entry);
    if (scripted?.hang) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      this.notify();
      return;
    }
    const answer = this.answer(path, scripted, checked);
    entry.status = answer.status;
    entry.answer = answer.body;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (answer.retryAfter !== undefined) headers['retry-after'] = String(answer.retryAfter);
    res.writeHead(answer.status, headers).end(answer.body);
    this.notify();
  }

  private answer(path: string, scripted: ScriptedAnswer | undefined, checked: { status: number; body: string }): ScriptedAnswer & { body: string } {
    if (path !== `/services/${this.token}`) return { status: 404, body: 'no_service' };
    if (scripted) return { ...scripted, body: scripted.body ?? DEFAULT_BODY[scripted.status] ?? '' };
    return { status: checked.status, body: checked.body };
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
