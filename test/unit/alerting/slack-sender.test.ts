// The sender against a scripted fetch: what @slack/webhook reports becomes a SendOutcome, the
// Retry-After header is read through the fetch we hand the client, errors are redacted, and
// the breaker stops requests after repeated 5xx.
import assert from 'node:assert/strict';
import { SlackSender } from '../../../src/alerting/slack-sender.ts';

const url = 'https://hooks.slack.com/services/T0001/B0001/sendertoken';
const message = { text: 'FIRING: x', blocks: [] };

function scripted(answers: Array<Response | Error>): { fetch: typeof fetch; calls: { url: string; body: string }[] } {
  const calls: { url: string; body: string }[] = [];
  const fetchFn = (input: string | URL, init?: { body?: string }): Promise<Response> => {
    calls.push({ url: input.toString(), body: init?.body ?? '' });
    const next = answers.shift() ?? new Response('ok', { status: 200 });
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

describe('SlackSender', () => {
  let sender: SlackSender | undefined;
  afterEach(() => sender?.shutdown());

  it('posts the message and its channel through the official client', async () => {
    const s = scripted([new Response('ok', { status: 200 })]);
    sender = new SlackSender({ fetch: s.fetch });
    assert.deepEqual(await sender.send({ url, webhook: 'w', message, channel: '#ops' }), { kind: 'delivered' });
    assert.equal(s.calls[0]?.url, url);
    assert.deepEqual(JSON.parse(s.calls[0].body), { text: 'FIRING: x', blocks: [], channel: '#ops' });
  });

  it('reads Retry-After from a 429 (which the client itself does not expose)', async () => {
    const s = scripted([new Response('rate_limited', { status: 429, headers: { 'retry-after': '7' } })]);
    sender = new SlackSender({ fetch: s.fetch });
    assert.deepEqual(await sender.send({ url, webhook: 'w', message }), { kind: 'rate_limited', retryAfterMs: 7000 });
  });

  it('classifies refusals by Slack\'s error code', async () => {
    const s = scripted([new Response('invalid_payload', { status: 400 }), new Response('channel_not_found', { status: 404 })]);
    sender = new SlackSender({ fetch: s.fetch });
    assert.deepEqual(await sender.send({ url, webhook: 'w', message }), { kind: 'payload_rejected', code: 'invalid_payload' });
    assert.deepEqual(await sender.send({ url, webhook: 'w', message }), { kind: 'webhook_rejected', code: 'channel_not_found' });
  });

  it('redacts the URL from a network error', async () => {
    const s = scripted([new TypeError(`fetch failed for ${url}`)]);
    sender = new SlackSender({ fetch: s.fetch });
    const outcome = await sender.send({ url, webhook: 'w', message });
    assert.equal(outcome.kind, 'unavailable');
    const detail = outcome.kind === 'unavailable' ? outcome.detail : '';
    assert.ok(!detail.includes('sendertoken'), detail);
    assert.match(detail, /\[redacted\]/);
  });

  it('opens the breaker after repeated 5xx: no request until it half-opens', async () => {
    const s = scripted([500, 500, 500].map((status) => new Response('internal_error', { status })));
    sender = new SlackSender({ fetch: s.fetch, volumeThreshold: 3, resetTimeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) assert.deepEqual(await sender.send({ url, webhook: 'w', message }), { kind: 'unavailable', detail: 'HTTP 500' });
    assert.deepEqual(await sender.send({ url, webhook: 'w', message }), { kind: 'breaker_open' });
    assert.equal(s.calls.length, 3);
    assert.deepEqual(await sender.send({ url: `${url}2`, webhook: 'other', message }), { kind: 'delivered' }, 'breakers are per webhook');
  });

  it('4xx and 429 do not count against the breaker', async () => {
    const s = scripted(Array.from({ length: 5 }, () => new Response('rate_limited', { status: 429, headers: { 'retry-after': '1' } })));
    sender = new SlackSender({ fetch: s.fetch, volumeThreshold: 3 });
    for (let i = 0; i < 5; i++) assert.equal((await sender.send({ url, webhook: 'w', message })).kind, 'rate_limited');
    assert.equal(s.calls.length, 5);
  });
});
