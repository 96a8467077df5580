import assert from 'node:assert/strict';
import { classifyAwsError } from '../../../src/cloud/aws/classify.ts';
import { CloudError, type CloudErrorKind } from '../../../src/cloud/errors.ts';

const ctx = { service: 'autoscaling', operation: 'UpdateAutoScalingGroup' };

// What the SDK v3 throws, by protocol: query-protocol service exceptions carry name + Code,
// JSON-protocol ones only name, Node socket errors only code, deserialization failures only
// $metadata.httpStatusCode.
function sdkError(name: string, opts: { status?: number; message?: string; code?: boolean; throttling?: boolean } = {}): Error {
  const err = new Error(opts.message ?? `${name} happened`) as Error & Record<string, unknown>;
  err.name = name;
  if (opts.code) err.Code = name;
  err.$metadata = { httpStatusCode: opts.status ?? 400, requestId: 'req-1' };
  if (opts.throttling) err.$retryable = { throttling: true };
  return err;
}

function nodeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

const table: Array<{ input: unknown; kind: CloudErrorKind; code?: string; comment: string }> = [
  { input: sdkError('Throttling', { code: true }), kind: 'Throttled', comment: 'Auto Scaling query-protocol throttling' },
  { input: sdkError('ThrottlingException'), kind: 'Throttled', comment: 'JSON-protocol throttling (Budgets)' },
  { input: sdkError('RequestLimitExceeded', { code: true, status: 503 }), kind: 'Throttled', comment: 'EC2 throttling beats the 5xx status' },
  { input: sdkError('TooManyRequestsException', { status: 429 }), kind: 'Throttled', comment: 'API Gateway style' },
  { input: sdkError('SomeNewThrottle', { throttling: true }), kind: 'Throttled', comment: 'an unknown code the SDK marked as throttling' },
  { input: sdkError('Whatever', { status: 429 }), kind: 'Throttled', comment: 'HTTP 429 without a known code' },
  { input: sdkError('ScalingActivityInProgress', { code: true }), kind: 'Contention', comment: 'a scaling activity holds the group' },
  { input: sdkError('ResourceContention', { code: true, status: 500 }), kind: 'Contention', comment: 'contention beats the 5xx status' },
  { input: sdkError('ValidationError', { code: true, message: 'Max bound, 1, must be greater than or equal to min bound, 2' }), kind: 'Invalid', comment: 'refused values' },
  { input: sdkError('InvalidParameterValue', { code: true }), kind: 'Invalid', comment: 'EC2-style invalid value' },
  { input: sdkError('LimitExceeded', { code: true }), kind: 'Invalid', comment: 'a quota: retrying will not help' },
  { input: sdkError('ValidationError', { code: true, message: 'AutoScalingGroup name not found - null' }), kind: 'NotFound', comment: 'Auto Scaling reports a missing group as ValidationError (AWS and moto)' },
  { input: sdkError('NotFoundException'), kind: 'NotFound', comment: 'Budgets missing budget' },
  { input: sdkError('AWS.SimpleQueueService.NonExistentQueue', { code: true }), kind: 'NotFound', comment: 'SQS missing queue' },
  { input: sdkError('AccessDenied', { code: true, status: 403 }), kind: 'AccessDenied', comment: 'IAM denies the action' },
  { input: sdkError('UnauthorizedOperation', { code: true, status: 403 }), kind: 'AccessDenied', comment: 'EC2 style' },
  { input: sdkError('InvalidClientTokenId', { code: true, status: 403 }), kind: 'AccessDenied', comment: 'bad credentials' },
  { input: sdkError('ExpiredToken', { code: true, status: 403 }), kind: 'AccessDenied', comment: 'expired session' },
  { input: Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), kind: 'AccessDenied', comment: 'no identity at all' },
  { input: sdkError('InternalFailure', { code: true, status: 500 }), kind: 'Unavailable', comment: 'AWS 5xx code' },
  { input: sdkError('ServiceUnavailable', { code: true, status: 503 }), kind: 'Unavailable', comment: '503' },
  { input: sdkError('SyntaxError', { status: 500, message: 'Unexpected token < in JSON' }), kind: 'Unavailable', comment: 'an HTML 500 the SDK could not parse (moto, proxies)' },
  { input: Object.assign(sdkError('Error', { status: 502 }), { name: 'Error' }), kind: 'Unavailable', comment: 'generic error with a 502' },
  { input: Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), kind: 'Unavailable', comment: 'SDK request timeout' },
  { input: nodeError('ECONNREFUSED'), kind: 'Unavailable', code: 'ECONNREFUSED', comment: 'endpoint down' },
  { input: nodeError('ECONNRESET'), kind: 'Unavailable', code: 'ECONNRESET', comment: 'connection dropped' },
  { input: Object.assign(new AggregateError([nodeError('ECONNREFUSED')], 'connect failed'), { code: 'ECONNREFUSED' }), kind: 'Unavailable', code: 'ECONNREFUSED', comment: 'every address refused (Node autoSelectFamily)' },
  { input: Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' }), kind: 'Unavailable', code: 'BreakerOpen', comment: 'our own breaker' },
  { input: sdkError('SomethingNew', { code: true }), kind: 'Retryable', comment: 'unknown 4xx code: retried, not dropped' },
  { input: 'a string', kind: 'Retryable', code: 'Unknown', comment: 'non-Error thrown' },
];

describe('classifyAwsError', () => {
  for (const row of table) {
    it(`${row.kind}: ${row.comment}`, () => {
      const err = classifyAwsError(row.input, ctx);
      assert.ok(err instanceof CloudError);
      assert.equal(err.kind, row.kind);
      if (row.code) assert.equal(err.code, row.code);
      assert.equal(err.service, 'autoscaling');
      assert.equal(err.operation, 'UpdateAutoScalingGroup');
    });
  }

  it('keeps the AWS code, status and request id', () => {
    const err = classifyAwsError(sdkError('Throttling', { code: true, message: 'Rate exceeded' }), ctx);
    assert.equal(err.code, 'Throttling');
    assert.equal(err.httpStatus, 400);
    assert.equal(err.requestId, 'req-1');
    assert.equal(err.message, 'autoscaling UpdateAutoScalingGroup failed (Throttled, Throttling): Rate exceeded');
  });

  it('passes a CloudError through unchanged', () => {
    const original = classifyAwsError(sdkError('Throttling', { code: true }), ctx);
    assert.equal(classifyAwsError(original, { service: 'other', operation: 'Other' }), original);
  });

  it('marks terminal kinds as not retryable', () => {
    const retryable = (input: unknown): boolean => classifyAwsError(input, ctx).retryable;
    assert.equal(retryable(sdkError('Throttling', { code: true })), true);
    assert.equal(retryable(sdkError('ScalingActivityInProgress', { code: true })), true);
    assert.equal(retryable(nodeError('ECONNRESET')), true);
    assert.equal(retryable(sdkError('SomethingNew', { code: true })), true);
    assert.equal(retryable(sdkError('ValidationError', { code: true })), false);
    assert.equal(retryable(sdkError('AccessDenied', { code: true })), false);
    assert.equal(retryable(sdkError('NotFoundException')), false);
  });
});
