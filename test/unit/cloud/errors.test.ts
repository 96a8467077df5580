import assert from 'node:assert/strict';
import { CloudError, isCloudError, redact } from '../../../src/cloud/errors.ts';

describe('CloudError', () => {
  it('names service, operation, kind and code in its message', () => {
    const err = new CloudError({ kind: 'NotFound', service: 'autoscaling', operation: 'UpdateAutoScalingGroup', code: 'ValidationError', detail: 'AutoScalingGroup name not found - null' });
    assert.equal(err.message, 'autoscaling UpdateAutoScalingGroup failed (NotFound, ValidationError): AutoScalingGroup name not found - null');
    assert.equal(err.name, 'CloudError');
    assert.ok(err instanceof Error);
    assert.equal(err.retryable, false);
    assert.ok(isCloudError(err));
    assert.ok(isCloudError(err, 'NotFound'));
    assert.ok(!isCloudError(err, 'Throttled'));
    assert.ok(!isCloudError(new Error('x')));
  });

  it('never carries request signatures, tokens or key ids in its message', () => {
    const detail = [
      'The request signature we calculated does not match the signature you provided.',
      'The Canonical String for this request should have been',
      "'POST\n/\n\nhost:autoscaling.us-east-1.amazonaws.com\nx-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLE'",
    ].join(' ');
    const err = new CloudError({ kind: 'AccessDenied', service: 'autoscaling', operation: 'DescribeAutoScalingGroups', code: 'SignatureDoesNotMatch', detail });
    assert.doesNotMatch(err.message, /IQoJb3Jp|x-amz-security-token|Canonical/i);
    assert.match(err.message, /does not match the signature you provided/);
  });
});

describe('redact', () => {
  const cases: Array<{ input: string; forbidden: RegExp; comment: string }> = [
    { input: 'User: arn:aws:sts::1:assumed-role/x with key AKIAIOSFODNN7EXAMPLE is not authorized', forbidden: /AKIAIOSFODNN7EXAMPLE/, comment: 'long-term key id' },
    { input: 'temporary key ASIAXXXXXXXXXXXXXXXX expired', forbidden: /ASIAX{16}/, comment: 'session key id' },
    { input: 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/autoscaling/aws4_request', forbidden: /AKIDEXAMPLE/, comment: 'authorization header echoed' },
    { input: 'url?X-Amz-Signature=abcdef0123456789&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE', forbidden: /abcdef0123456789|FQoGZXIvYXdzEXAMPLE/, comment: 'presigned query' },
    { input: 'Signature=deadbeefcafe, SignedHeaders=host', forbidden: /deadbeefcafe/, comment: 'signature pair' },
  ];
  for (const c of cases) {
    it(`removes the ${c.comment}`, () => {
      assert.doesNotMatch(redact(c.input), c.forbidden);
    });
  }

  it('bounds the length', () => {
    assert.ok(redact('x'.repeat(5000)).length <= 401);
  });
});
