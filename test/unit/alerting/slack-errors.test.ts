import assert from 'node:assert/strict';
import { classifyResponse, DEFAULT_RETRY_AFTER_MS, problemMessage, problemReason, retryAfterMs, slackErrorCode } from '../../../src/alerting/slack-errors.ts';

describe('Slack answers', () => {
  const cases: { status: number; body: string; retryAfter?: string; want: unknown; comment: string }[] = [
    { status: 200, body: 'ok', want: { kind: 'delivered' }, comment: 'accepted' },
    { status: 429, body: 'rate_limited', retryAfter: '30', want: { kind: 'rate_limited', retryAfterMs: 30_000 }, comment: 'Retry-After in seconds' },
    { status: 429, body: '', want: { kind: 'rate_limited', retryAfterMs: DEFAULT_RETRY_AFTER_MS }, comment: 'no Retry-After' },
    { status: 500, body: 'internal_error', want: { kind: 'unavailable', detail: 'HTTP 500' }, comment: 'Slack\'s trouble' },
    { status: 503, body: '<html>', want: { kind: 'unavailable', detail: 'HTTP 503' }, comment: 'a proxy page' },
    { status: 400, body: 'invalid_payload', want: { kind: 'payload_rejected', code: 'invalid_payload' }, comment: 'this message is bad' },
    { status: 400, body: 'invalid_blocks', want: { kind: 'payload_rejected', code: 'invalid_blocks' }, comment: 'blocks past the limits' },
    { status: 404, body: 'no_service', want: { kind: 'webhook_rejected', code: 'no_service' }, comment: 'revoked webhook' },
    { status: 404, body: 'channel_not_found', want: { kind: 'webhook_rejected', code: 'channel_not_found' }, comment: 'channel gone' },
    { status: 403, body: 'action_prohibited', want: { kind: 'webhook_rejected', code: 'action_prohibited' }, comment: 'admin restriction' },
    { status: 410, body: 'channel_is_archived', want: { kind: 'webhook_rejected', code: 'channel_is_archived' }, comment: 'archived' },
    { status: 403, body: '<h1>Forbidden https://x</h1>', want: { kind: 'webhook_rejected', code: 'http_403' }, comment: 'a body that is not a code is never echoed' },
  ];
  for (const c of cases) {
    it(`${c.status} ${c.body || '(empty)'}: ${c.comment}`, () => {
      assert.deepEqual(classifyResponse(c.status, c.body, c.retryAfter ?? null, 0), c.want);
    });
  }

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    assert.equal(retryAfterMs('2', 0), 2000);
    assert.equal(retryAfterMs('0', 0), 1000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 0), 10_000);
    assert.equal(retryAfterMs('999999', 0), 15 * 60_000);
    assert.equal(retryAfterMs('soon', 0), DEFAULT_RETRY_AFTER_MS);
  });

  it('names the problem as a CamelCase reason and a sentence', () => {
    assert.equal(problemReason('invalid_payload'), 'SlackInvalidPayload');
    assert.equal(problemReason('channel_not_found'), 'SlackChannelNotFound');
    assert.equal(problemReason('http_403'), 'SlackHTTP403');
    assert.match(problemMessage('no_service', 'webhook'), /^Slack answered no_service: The webhook is disabled or revoked/);
    assert.match(problemMessage('something_new', 'webhook'), /messages wait until the Secret changes/);
    assert.equal(slackErrorCode(400, ' invalid_payload\n'), 'invalid_payload');
  });
});
