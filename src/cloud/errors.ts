// The one error type controllers see from the cloud. Controllers branch on `kind` (and on
// `retryable`), never on provider error codes: the AWS codes are mapped to kinds once, in
// cloud/aws/classify.ts, so a new service or a renamed code is a one-line change there.

/**
 * What went wrong, in terms a controller can act on:
 * - `NotFound`     the resource does not exist (terminal for this resource).
 * - `Throttled`    the provider rate-limited us; retry with backoff.
 * - `Contention`   the resource is busy (a scaling activity or another update); retry soon.
 * - `Invalid`      the request was rejected as invalid or over a quota (terminal until the spec changes).
 * - `AccessDenied` our identity may not do this (terminal until IAM changes).
 * - `Unavailable`  the provider failed (5xx, network, timeout) or our circuit breaker is open.
 * - `Retryable`    anything unrecognised; retried with backoff rather than dropped.
 */
export type CloudErrorKind = 'NotFound' | 'Throttled' | 'Contention' | 'Invalid' | 'AccessDenied' | 'Unavailable' | 'Retryable';

const RETRYABLE_KINDS: ReadonlySet<CloudErrorKind> = new Set(['Throttled', 'Contention', 'Unavailable', 'Retryable']);

/** The code a CloudError carries when the operator lost leadership and refused the call unsent. */
export const FENCED_CODE = 'LeadershipLost';

/** The code a CloudError carries when our own circuit breaker rejected the call unsent. */
export const BREAKER_OPEN_CODE = 'BreakerOpen';

export interface CloudErrorInit {
  kind: CloudErrorKind;
  /** The provider service, e.g. `autoscaling`. */
  service: string;
  /** The API operation, e.g. `UpdateAutoScalingGroup`. */
  operation: string;
  /** The provider's error code (`Throttling`, `ValidationError`, `ECONNRESET`, ...). */
  code: string;
  /** Free text from the provider; redacted before it is stored. */
  detail?: string;
  httpStatus?: number;
  requestId?: string;
}

export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly kind: CloudErrorKind;
  readonly service: string;
  readonly operation: string;
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;

  constructor(init: CloudErrorInit) {
    const detail = init.detail ? `: ${redact(init.detail)}` : '';
    super(`${init.service} ${init.operation} failed (${init.kind}, ${init.code})${detail}`);
    this.kind = init.kind;
    this.service = init.service;
    this.operation = init.operation;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId;
  }

  /** True when trying again later can succeed without anyone changing the spec or IAM. */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

export function isCloudError(err: unknown, kind?: CloudErrorKind): err is CloudError {
  return err instanceof CloudError && (kind === undefined || err.kind === kind);
}

const MAX_DETAIL = 400;

// Error texts end up in logs, Events and status conditions, which many people can read.
// SignatureDoesNotMatch echoes the canonical request (signed headers, including a session
// token); other texts can carry access key ids. Cut and mask all of that here, once.
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, '[redacted-key-id]'],
  [/\b(X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential|Signature|Credential|SessionToken|SecretAccessKey|Authorization)(\s*[=:]\s*)[^\s,&;]+/gi, '$1$2[redacted]'],
];

/** Strips signatures, tokens and key ids from provider-supplied text. */
export function redact(text: string): string {
  let out = text.split(/The Canonical String for this request|The String-to-Sign should have been/i)[0] ?? '';
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  out = out.trim();
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL)}…` : out;
}
