// Every error that comes out of an AWS call becomes a CloudError here, and only here.
// Codes are matched by set, as Karpenter does: adding a service means adding its codes to
// these sets, not teaching each controller new strings. Unknown codes fall through to
// `Retryable` so that an unrecognised failure is retried with backoff, never silently dropped.
import { BREAKER_OPEN_CODE, CloudError, type CloudErrorKind } from '../errors.ts';

const NOT_FOUND = new Set([
  'NotFound', 'NotFoundException', 'ResourceNotFound', 'ResourceNotFoundException', 'NoSuchEntity',
  'AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist',
  'InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateName.NotFoundException', 'InvalidLaunchTemplateId.VersionNotFound',
]);

const THROTTLED = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException',
  'RequestThrottled', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown',
  'ProvisionedThroughputExceededException', 'EC2ThrottledException', 'PriorRequestNotComplete',
]);

const CONTENTION = new Set([
  'ScalingActivityInProgress', 'ResourceContention', 'ResourceInUse', 'ResourceLockedException',
  'ConcurrentModificationException', 'ConcurrentModification',
]);

// Terminal: the same request will fail the same way until someone changes the spec or a quota.
const INVALID = new Set([
  'ValidationError', 'ValidationException', 'InvalidParameterValue', 'InvalidParameterValueException',
  'InvalidParameterCombination', 'InvalidParameter', 'InvalidParameterException', 'InvalidInput',
  'MissingParameter', 'InvalidAction', 'InvalidQueryParameter', 'MalformedQueryString',
  'InvalidNextToken', 'InvalidNextTokenException', 'LimitExceeded', 'LimitExceededException',
  'InvalidRequestException', 'SerializationException',
  // Budgets and Cost Explorer
  'DuplicateRecordException', 'CreationLimitExceededException', 'BillExpirationException',
  'DataUnavailableException', 'InvalidLaunchTemplateName.MalformedException',
]);

// Terminal until IAM (or the credentials) change.
const ACCESS_DENIED = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess',
  'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch',
  'IncompleteSignature', 'InvalidSignatureException', 'MissingAuthenticationToken', 'AuthFailure',
  'ExpiredToken', 'ExpiredTokenException', 'OptInRequired', 'NotAuthorized', 'CredentialsProviderError',
]);

// The service or the path to it failed: AWS 5xx codes, SDK timeouts and Node socket errors.
const UNAVAILABLE = new Set([
  'InternalFailure', 'InternalError', 'InternalServerError', 'InternalServiceError',
  'InternalErrorException', 'InternalServiceErrorException', 'ServiceUnavailable',
  'ServiceUnavailableException', 'Unavailable', 'RequestTimeout', 'RequestTimeoutException',
  'TimeoutError', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EOPENBREAKER',
]);

const CODE_SETS: ReadonlyArray<[ReadonlySet<string>, CloudErrorKind]> = [
  [NOT_FOUND, 'NotFound'],
  [THROTTLED, 'Throttled'],
  [CONTENTION, 'Contention'],
  [INVALID, 'Invalid'],
  [ACCESS_DENIED, 'AccessDenied'],
  [UNAVAILABLE, 'Unavailable'],
];

// The query-protocol services (Auto Scaling, SQS, CloudWatch) have no not-found code: a
// missing group comes back as ValidationError "AutoScalingGroup name not found - ...".
const NOT_FOUND_MESSAGE = /\bnot found\b|does not exist/i;

/** The shape of SDK v3 service exceptions and of the Node errors the SDK passes through. */
interface AwsErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: { throttling?: boolean };
}

export interface CallContext {
  service: string;
  operation: string;
}

/** Maps anything an AWS call threw to a CloudError (a CloudError passes through unchanged). */
export function classifyAwsError(err: unknown, ctx: CallContext): CloudError {
  if (err instanceof CloudError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as AwsErrorLike;
  const code = codeOf(e);
  const httpStatus = e.$metadata?.httpStatusCode;
  const detail = typeof e.message === 'string' ? e.message : '';
  const kind = kindOf(code, detail, e);
  const isBreaker = code === 'EOPENBREAKER';
  return new CloudError({
    ...ctx,
    kind,
    code: isBreaker ? BREAKER_OPEN_CODE : code,
    detail: isBreaker ? `the ${ctx.service} circuit breaker is open; failing fast without calling AWS` : detail,
    httpStatus,
    requestId: e.$metadata?.requestId,
  });
}

function kindOf(code: string, detail: string, e: AwsErrorLike): CloudErrorKind {
  const byCode = CODE_SETS.find(([codes]) => codes.has(code))?.[1];
  if (byCode === 'Invalid' && NOT_FOUND_MESSAGE.test(detail)) return 'NotFound';
  if (byCode) return byCode;
  if (e.$retryable?.throttling === true) return 'Throttled';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429) return 'Throttled';
  if (status >= 500) return 'Unavailable';
  return 'Retryable';
}

// Query-protocol errors carry the AWS code in `Code` and `name`; JSON-protocol ones in
// `name`; Node socket errors only in `code` (their `name` is a generic "Error", or
// "AggregateError" when Node tried several addresses). A recognised code wins.
const GENERIC_NAMES = new Set(['Error', 'AggregateError']);

function codeOf(e: AwsErrorLike): string {
  const candidates = [e.Code, e.name, e.code].filter((c): c is string => typeof c === 'string' && c.length > 0 && !GENERIC_NAMES.has(c));
  return candidates.find((c) => CODE_SETS.some(([codes]) => codes.has(c))) ?? candidates[0] ?? 'Unknown';
}
