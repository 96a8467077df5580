// Reads the Slack webhook URL from the Secret a guard names (spec.alerts.slack.webhookSecretRef)
// with a single GET — never listed, watched or cached, so the operator needs only `get` on
// Secrets in the namespaces the chart binds (docs/alerts.md). Every way it can fail becomes
// a condition reason and a sentence that names the Secret and key, never the value.
import { createHash } from 'node:crypto';
import { statusCodeOf } from '../runtime/errors.ts';
import { objectPath, type ResourceType } from '../runtime/kube/resource.ts';
import type { RestClient } from '../runtime/kube/rest.ts';

const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };

export interface SecretRef {
  name: string;
  key: string;
}

export type WebhookLookup =
  | { ok: true; url: string; /** sha256 prefix: names the webhook in state and metrics without revealing it. */ id: string }
  | { ok: false; reason: string; message: string };

interface SecretObject {
  data?: Record<string, string>;
}

/** A short, stable name for a webhook URL that reveals nothing about it. */
export function webhookId(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 12);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Slack webhooks are https; plain http is accepted for loopback only (a local relay or test sink). */
export function isAcceptableWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname.length > 0;
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

/** Pure: the lookup result for a Secret's data (base64 values, as the API returns them). */
export function webhookFromSecret(secret: SecretObject, namespace: string, ref: SecretRef): WebhookLookup {
  const where = `Secret ${namespace}/${ref.name}`;
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) return { ok: false, reason: 'SecretKeyMissing', message: `${where} has no key "${ref.key}" (spec.alerts.slack.webhookSecretRef.key).` };
  const url = Buffer.from(encoded, 'base64').toString('utf8').trim();
  if (!url) return { ok: false, reason: 'SecretKeyMissing', message: `Key "${ref.key}" of ${where} is empty.` };
  if (!isAcceptableWebhookUrl(url)) {
    return { ok: false, reason: 'WebhookURLInvalid', message: `Key "${ref.key}" of ${where} is not an https URL (expected https://hooks.slack.com/services/…).` };
  }
  return { ok: true, url, id: webhookId(url) };
}

/** Pure: the lookup result for a failed GET. */
export function webhookReadFailure(err: unknown, namespace: string, ref: SecretRef): WebhookLookup {
  const where = `Secret ${namespace}/${ref.name}`;
  const code = statusCodeOf(err);
  if (code === 404) return { ok: false, reason: 'SecretNotFound', message: `${where} does not exist (spec.alerts.slack.webhookSecretRef).` };
  if (code === 403) {
    return {
      ok: false,
      reason: 'SecretOutOfReach',
      message: `The operator may not read Secrets in namespace ${namespace}: add it to the Helm value rbac.secretNamespaces (docs/alerts.md).`,
    };
  }
  return { ok: false, reason: 'SecretReadFailed', message: `Could not read ${where}${code ? ` (HTTP ${code})` : ''}; retrying.` };
}

export async function readWebhook(rest: Pick<RestClient, 'get'>, namespace: string, ref: SecretRef): Promise<WebhookLookup> {
  try {
    const secret = await rest.get<SecretObject>(objectPath(SECRETS, namespace, ref.name));
    return webhookFromSecret(secret, namespace, ref);
  } catch (err) {
    return webhookReadFailure(err, namespace, ref);
  }
}
