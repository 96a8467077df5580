// The shared client machinery against moto: endpoint resolution, SDK retries, the breaker,
// AssumeRole and metrics, observed through the fault proxy.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { AwsClients } from '../../../src/cloud/aws/clients.ts';
import { awsScalingGroups } from '../../../src/cloud/aws/autoscaling.ts';
import { CloudError } from '../../../src/cloud/errors.ts';
import { testEnv } from '../../harness/env.ts';
import { FaultProxy } from '../../support/fault-proxy.ts';
import { clientsFor, createGroups, directClient, REGION } from './fixtures.ts';

describe('AWS clients: endpoint, retries, breaker, AssumeRole (moto)', () => {
  let proxy: FaultProxy;
  let clients: AwsClients | undefined;
  const target = { region: REGION };

  before(async () => {
    proxy = await FaultProxy.start(testEnv().awsEndpoint);
  });
  after(async () => {
    await proxy.close();
    await testEnv().resetAws();
  });
  beforeEach(async () => {
    await testEnv().resetAws();
    proxy.reset();
  });
  afterEach(() => clients?.shutdown());

  it('reaches moto through AWS_ENDPOINT_URL when no endpoint is configured', async () => {
    assert.equal(process.env.AWS_ENDPOINT_URL, testEnv().awsEndpoint);
    const direct = directClient();
    await createGroups(direct, [{ name: 'via-env' }]);
    direct.destroy();
    clients = new AwsClients({ registry: new Registry() });
    const groups = await awsScalingGroups(clients, target).describe(['via-env']);
    assert.deepEqual(groups.map((g) => g.name), ['via-env']);
  });

  it('lets the SDK retry one throttle transparently when maxAttempts allows', async () => {
    clients = clientsFor(proxy.endpoint, { maxAttempts: 3 });
    proxy.inject({ action: 'DescribeAutoScalingGroups', code: 'Throttling', message: 'Rate exceeded' });
    assert.deepEqual(await awsScalingGroups(clients, target).describe(['x']), []);
    assert.equal(proxy.count('DescribeAutoScalingGroups'), 2);
  });

  it('opens the breaker after enough failures and then fails fast without reaching AWS', async () => {
    const registry = new Registry();
    clients = clientsFor(proxy.endpoint, { registry, breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 } });
    const groups = awsScalingGroups(clients, target);
    proxy.inject({ status: 503, code: 'ServiceUnavailable', times: 4 });
    for (let i = 0; i < 4; i++) await assert.rejects(groups.describe(['x']), { kind: 'Unavailable', code: 'ServiceUnavailable' });
    assert.equal(clients.breakerState('autoscaling'), 'open');
    const before = proxy.count();
    const err = await groups.setLimits('x', { maxSize: 1 }).catch((e: unknown) => e);
    assert.ok(err instanceof CloudError);
    assert.deepEqual([err.kind, err.code], ['Unavailable', 'BreakerOpen']);
    assert.equal(proxy.count(), before, 'the short-circuited call never left the process');
    const metrics = await registry.metrics();
    assert.match(metrics, /costguard_aws_calls_total\{service="autoscaling",operation="DescribeAutoScalingGroups",outcome="unavailable"\} 4/);
    assert.match(metrics, /costguard_aws_calls_total\{service="autoscaling",operation="UpdateAutoScalingGroup",outcome="short_circuited"\} 1/);
    assert.match(metrics, /costguard_aws_breaker_open\{service="autoscaling"\} 1/);
  });

  it('closes the breaker again after a successful probe', async () => {
    clients = clientsFor(proxy.endpoint, { breaker: { volumeThreshold: 2, resetTimeoutMs: 100 } });
    const groups = awsScalingGroups(clients, target);
    proxy.inject({ status: 500, code: 'InternalFailure', times: 2 });
    for (let i = 0; i < 2; i++) await assert.rejects(groups.describe(['x']), { kind: 'Unavailable' });
    assert.equal(clients.breakerState('autoscaling'), 'open');
    // The breaker's reset timer is opossum's own: wait for the half-open state it reaches, bounded.
    for (const deadline = Date.now() + 5_000; clients.breakerState('autoscaling') !== 'halfOpen' && Date.now() < deadline; ) await delay(10);
    assert.equal(clients.breakerState('autoscaling'), 'halfOpen');
    assert.deepEqual(await groups.describe(['x']), []);
    assert.equal(clients.breakerState('autoscaling'), 'closed');
  });

  it('does not open the breaker on expected errors (missing groups)', async () => {
    clients = clientsFor(proxy.endpoint, { breaker: { volumeThreshold: 3 } });
    const groups = awsScalingGroups(clients, target);
    for (let i = 0; i < 6; i++) await assert.rejects(groups.setLimits(`ghost-${i}`, { maxSize: 1 }), { kind: 'NotFound' });
    assert.equal(clients.breakerState('autoscaling'), 'closed');
    assert.equal(proxy.count('UpdateAutoScalingGroup'), 6);
  });

  it("assumes the guard's role once (session costguard-<namespace>-<name>, tagged with the guard) and signs Auto Scaling calls with it", async () => {
    clients = clientsFor(proxy.endpoint);
    const groups = awsScalingGroups(clients, { region: REGION, roleArn: 'arn:aws:iam::123456789012:role/costguard', session: { namespace: 'team-a', name: 'orders' } });
    await groups.describe(['a']);
    await groups.findByTags({ app: 'x' });
    await groups.describe(['b']);
    assert.equal(proxy.count('AssumeRole'), 1, 'credentials are cached until shortly before expiry');
    const assume = proxy.requests.find((r) => r.action === 'AssumeRole');
    assert.equal(assume?.params.RoleSessionName, 'costguard-team-a-orders', 'CloudTrail says which guard acted');
    assert.equal(assume?.params.RoleArn, 'arn:aws:iam::123456789012:role/costguard');
    assert.equal(assume?.status, 200, 'moto accepts session tags on AssumeRole');
    const tags = { key1: assume?.params['Tags.member.1.Key'], value1: assume?.params['Tags.member.1.Value'], key2: assume?.params['Tags.member.2.Key'], value2: assume?.params['Tags.member.2.Value'] };
    assert.deepEqual(tags, { key1: 'costguard-namespace', value1: 'team-a', key2: 'costguard-guard', value2: 'orders' }, 'session tags name the guard');
    assert.equal(proxy.count('DescribeAutoScalingGroups'), 3);
    assert.equal(assume?.accessKeyId, 'testing', "AssumeRole is signed with the operator's own identity");
    const signers = new Set(proxy.requests.filter((r) => r.action === 'DescribeAutoScalingGroups').map((r) => r.accessKeyId));
    assert.equal(signers.size, 1);
    assert.match([...signers][0] ?? '', /^ASIA/, 'Auto Scaling calls are signed with the temporary credentials');
  });

  it('surfaces a failing AssumeRole as a CloudError on the call that needed it', async () => {
    clients = clientsFor(proxy.endpoint);
    proxy.inject({ action: 'AssumeRole', status: 403, code: 'AccessDenied', message: 'not authorized to perform: sts:AssumeRole' });
    const groups = awsScalingGroups(clients, { region: REGION, roleArn: 'arn:aws:iam::123456789012:role/costguard' });
    await assert.rejects(groups.describe(['a']), { name: 'CloudError', kind: 'AccessDenied', service: 'sts', operation: 'AssumeRole' });
    assert.equal(proxy.count('DescribeAutoScalingGroups'), 0);
    assert.deepEqual(await groups.describe(['a']), [], 'the failure is not cached');
  });
});
