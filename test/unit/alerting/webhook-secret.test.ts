import assert from 'node:assert/strict';
import { isAcceptableWebhookUrl, webhookFromSecret, webhookId, webhookReadFailure } from '../../../src/alerting/webhook-secret.ts';
import { KubeApiError } from '../../../src/runtime/errors.ts';

const ref = { name: 'slack', key: 'url' };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('the webhook Secret', () => {
  it('reads the URL (trimmed) and names it by a hash that reveals nothing', () => {
    const url = 'https://hooks.slack.com/services/T/B/secret';
    const r = webhookFromSecret({ data: { url: b64(`${url}\n`) } }, 'payments', ref);
    assert.deepEqual(r, { ok: true, url, id: webhookId(url) });
    assert.match(webhookId(url), /^[0-9a-f]{12}$/);
    assert.ok(!url.includes(webhookId(url)));
  });

  const failures: { data: Record<string, string> | undefined; reason: string; message: string }[] = [
    { data: undefined, reason: 'SecretKeyMissing', message: 'Secret payments/slack has no key "url" (spec.alerts.slack.webhookSecretRef.key).' },
    { data: { other: b64('x') }, reason: 'SecretKeyMissing', message: 'Secret payments/slack has no key "url" (spec.alerts.slack.webhookSecretRef.key).' },
    { data: { url: b64('  ') }, reason: 'SecretKeyMissing', message: 'Key "url" of Secret payments/slack is empty.' },
    { data: { url: b64('hooks.slack.com/services/T/B/secret') }, reason: 'WebhookURLInvalid', message: 'Key "url" of Secret payments/slack is not an https URL (expected https://hooks.slack.com/services/…).' },
  ];
  for (const f of failures) {
    it(`${f.reason}: ${JSON.stringify(f.data)}`, () => {
      assert.deepEqual(webhookFromSecret({ ...(f.data ? { data: f.data } : {}) }, 'payments', ref), { ok: false, reason: f.reason, message: f.message });
    });
  }

  it('accepts https, and http only on loopback; never credentials in the URL', () => {
    assert.equal(isAcceptableWebhookUrl('https://hooks.slack.com/services/T/B/x'), true);
    assert.equal(isAcceptableWebhookUrl('http://127.0.0.1:8080/services/T/B/x'), true);
    assert.equal(isAcceptableWebhookUrl('http://localhost/x'), true);
    assert.equal(isAcceptableWebhookUrl('http://hooks.slack.com/services/T/B/x'), false);
    assert.equal(isAcceptableWebhookUrl('ftp://hooks.slack.com/x'), false);
    assert.equal(isAcceptableWebhookUrl('https://user:pw@hooks.slack.com/x'), false);
    assert.equal(isAcceptableWebhookUrl('not a url'), false);
  });

  it('turns a failed GET into SecretNotFound, SecretOutOfReach or SecretReadFailed', () => {
    const err = (code: number) => new KubeApiError(code, `GET /api/v1/namespaces/payments/secrets/slack: ${code}`);
    assert.deepEqual(webhookReadFailure(err(404), 'payments', ref), { ok: false, reason: 'SecretNotFound', message: 'Secret payments/slack does not exist (spec.alerts.slack.webhookSecretRef).' });
    const forbidden = webhookReadFailure(err(403), 'payments', ref);
    assert.equal(forbidden.ok, false);
    assert.equal(!forbidden.ok && forbidden.reason, 'SecretOutOfReach');
    assert.match(!forbidden.ok ? forbidden.message : '', /may not read Secrets in namespace payments: add it to the Helm value rbac\.secretNamespaces/);
    assert.deepEqual(webhookReadFailure(err(500), 'payments', ref), { ok: false, reason: 'SecretReadFailed', message: 'Could not read Secret payments/slack (HTTP 500); retrying.' });
    assert.deepEqual(webhookReadFailure(new Error('socket hang up'), 'payments', ref), { ok: false, reason: 'SecretReadFailed', message: 'Could not read Secret payments/slack; retrying.' });
  });
});
