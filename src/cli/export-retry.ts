// How export meets AWS failures: throttling and unavailability are retried with exponential
// backoff on an injected sleep (the SDK has already retried 3 times inside each call), and a
// denied call becomes the IAM action to grant, in one line.
import { isCloudError } from '../cloud/errors.ts';
import { ConfigError } from '../runtime/index.ts';

const RETRIES = 6;

export interface Pacing {
  readonly sleep: (ms: number) => Promise<void>;
  /** One line for stderr. */
  readonly log: (line: string) => void;
}

// AccessDenied codes that are about the credentials, not about a permission: granting an
// action would not help.
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidSignatureException', 'MissingAuthenticationToken', 'AuthFailure',
]);

/** A denied call as the action to grant (or the credentials to fix); other failures pass through. */
export function explainCloudError(err: unknown): unknown {
  if (!isCloudError(err) || err.kind !== 'AccessDenied') return err;
  if (CREDENTIAL_CODES.has(err.code)) return new ConfigError(`AWS did not accept the credentials this command runs with (${err.code} on ${err.service}:${err.operation}): check AWS_PROFILE or the AWS_* variables, or sign in again`);
  return new ConfigError(`not permitted: ${err.service}:${err.operation} was denied (${err.code}); grant it to the identity this command runs as (docs/history.md lists every action export needs)`);
}

/** Runs `fn`, retrying throttling and unavailability with exponential backoff (1 s, 2 s, … 30 s). */
export async function withBackoff<T>(fn: () => Promise<T>, deps: Pacing): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isCloudError(err) || !err.retryable || attempt >= RETRIES) throw err;
      const waitMs = Math.min(30_000, 1000 * 2 ** attempt);
      deps.log(`export: ${err.kind.toLowerCase()} (${err.code}); retrying in ${waitMs / 1000} s`);
      await deps.sleep(waitMs);
    }
  }
}
