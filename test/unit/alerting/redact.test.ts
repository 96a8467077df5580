import assert from 'node:assert/strict';
import { redact, REDACTED } from '../../../src/alerting/redact.ts';

describe('redact', () => {
  const url = 'https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnop';

  it('removes the URL, its path, and any Slack hook URL', () => {
    assert.equal(redact(`POST ${url} failed`, url), `POST ${REDACTED} failed`);
    assert.equal(redact('request to /services/T0001/B0001/abcdefghijklmnop timed out', url), `request to ${REDACTED} timed out`);
    assert.equal(redact('see https://hooks.slack.com/services/T9/B9/zzz'), `see https://hooks.slack.com/${REDACTED}`);
    assert.equal(redact('Failed to parse URL from https://hooks.slack-gov.com/workflows/x'), `Failed to parse URL from https://hooks.slack.com/${REDACTED}`);
  });

  it('redacts a loopback URL given as the secret', () => {
    const local = 'http://127.0.0.1:9999/services/T/B/token123';
    assert.equal(redact(`connect ECONNREFUSED for ${local}`, local), `connect ECONNREFUSED for ${REDACTED}`);
  });

  it('leaves other text alone', () => {
    assert.equal(redact('HTTP 500', url), 'HTTP 500');
  });
});
