// Per-guard role assumption. A CostGuard may name `spec.aws.roleArn`; every AWS client for
// that (region, role) then signs with temporary credentials from sts:AssumeRole. One cached
// provider is shared by all services for the same (region, role), so the Auto Scaling and
// Budgets clients of one guard cost one AssumeRole per hour, not one each.
// (@aws-sdk/credential-providers, whose fromTemporaryCredentials does this, is not a
// dependency; this is the small part of it we need.)
import { createHash } from 'node:crypto';
import type { STSClient } from '@aws-sdk/client-sts';

/** Structurally what the SDK accepts as `credentials`. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

/** The session name CloudTrail shows when no guard is named (e.g. the operator's own checks). */
export const ROLE_SESSION_NAME = 'costguard';

/** AWS: 2..64 characters of [\w+=,.@-]. */
const SESSION_NAME_MAX = 64;

/**
 * "costguard-<namespace>-<name>", so CloudTrail says which guard acted. Characters AWS does not
 * allow become "-"; a name too long is cut and ends in a short hash of the whole, so two long
 * guard names never share a session name.
 */
export function sessionName(guard: { namespace: string; name: string } | undefined): string {
  if (!guard) return ROLE_SESSION_NAME;
  const full = `costguard-${guard.namespace}-${guard.name}`.replace(/[^\w+=,.@-]/g, '-');
  if (full.length <= SESSION_NAME_MAX) return full;
  const hash = createHash('sha256').update(`${guard.namespace}/${guard.name}`).digest('hex').slice(0, 8);
  return `${full.slice(0, SESSION_NAME_MAX - hash.length - 1)}-${hash}`;
}

/** Session tag keys: CloudTrail and the role's policies (`aws:PrincipalTag/<key>`) see the guard. */
export const SESSION_TAG_KEYS = { namespace: 'costguard-namespace', guard: 'costguard-guard' } as const;

/** AWS: a session tag value is at most 256 characters of letters, digits, spaces and _.:/=+-@. */
const TAG_VALUE_MAX = 256;

function tagValue(value: string): string {
  // By code point, so a cut never splits a character in two.
  return [...value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '-')].slice(0, TAG_VALUE_MAX).join('');
}

/**
 * The session tags of a guard's AssumeRole: its namespace and name. Kubernetes names always
 * fit AWS's rules; the sanitising only keeps a surprise from failing every AssumeRole. The
 * role's trust policy must allow `sts:TagSession` (docs/operations.md).
 */
export function sessionTags(guard: { namespace: string; name: string } | undefined): { Key: string; Value: string }[] {
  if (!guard) return [];
  return [
    { Key: SESSION_TAG_KEYS.namespace, Value: tagValue(guard.namespace) },
    { Key: SESSION_TAG_KEYS.guard, Value: tagValue(guard.name) },
  ];
}

/** Refresh this long before expiry, so no request is signed with credentials about to lapse. */
export const REFRESH_BEFORE_MS = 5 * 60_000;

export interface CacheOptions {
  now?: () => number;
  refreshBeforeMs?: number;
}

/**
 * Wraps `fetch` so that credentials are reused until `refreshBeforeMs` before they expire,
 * and concurrent callers share one in-flight fetch. A failed fetch is not cached: the next
 * caller tries again (the failure itself surfaces to the AWS call that needed credentials).
 */
export function cachedCredentials(fetch: CredentialProvider, options: CacheOptions = {}): CredentialProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  let current: AwsCredentials | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;
  const fresh = (c: AwsCredentials | undefined): c is AwsCredentials =>
    c !== undefined && (c.expiration === undefined || c.expiration.getTime() - margin > now());
  return () => {
    if (fresh(current)) return Promise.resolve(current);
    inFlight ??= fetch().then(
      (c) => ((current = c), (inFlight = undefined), c),
      (err: unknown) => {
        inFlight = undefined;
        throw err;
      },
    );
    return inFlight;
  };
}

export interface AssumeRoleInput {
  roleArn: string;
  /** An STS client signed with the operator's own identity (IRSA, env, instance profile); may still be loading. */
  sts: Pick<STSClient, 'send'> | Promise<Pick<STSClient, 'send'>>;
  /** Runs the call through the shared guard (breaker, metrics); defaults to calling directly. */
  guard?: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
  durationSeconds?: number;
  /** The guard acting: its session name is costguard-<namespace>-<name>, its session tags name it. */
  session?: { namespace: string; name: string };
  /** Send the session tags (default true); false where the role's trust policy lacks sts:TagSession. */
  tagSession?: boolean;
}

/** A provider that calls sts:AssumeRole for `roleArn` (uncached: wrap it in cachedCredentials). */
export function assumeRole(input: AssumeRoleInput): CredentialProvider {
  const guard = input.guard ?? (<T>(_op: string, fn: () => Promise<T>) => fn());
  const tags = input.tagSession === false ? [] : sessionTags(input.session);
  const params = { RoleArn: input.roleArn, RoleSessionName: sessionName(input.session), DurationSeconds: input.durationSeconds ?? 3600, ...(tags.length ? { Tags: tags } : {}) };
  return async () => {
    // Loaded here, not at start: only guards under a role ever need it.
    const [sts, { AssumeRoleCommand }] = await Promise.all([input.sts, import('@aws-sdk/client-sts')]);
    const out = await guard('AssumeRole', () => sts.send(new AssumeRoleCommand(params)));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new Error(`sts AssumeRole for ${input.roleArn} returned no credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}
