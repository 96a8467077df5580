// The Auto Scaling adapter against moto, with the fault proxy counting and breaking calls.
import assert from 'node:assert/strict';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../../../src/cloud/aws/clients.ts';
import { awsScalingGroups } from '../../../src/cloud/aws/autoscaling.ts';
import { CloudError } from '../../../src/cloud/errors.ts';
import { testEnv } from '../../harness/env.ts';
import { FaultProxy } from '../../support/fault-proxy.ts';
import { clientsFor, createGroups, directClient, readGroup, REGION } from './fixtures.ts';

describe('AWS ScalingGroups adapter (moto)', function () {
  let proxy: FaultProxy;
  let direct: AutoScalingClient;
  let clients: AwsClients;
  const target = { region: REGION };

  before(async () => {
    proxy = await FaultProxy.start(testEnv().awsEndpoint);
    direct = directClient();
  });
  after(async () => {
    direct.destroy();
    await proxy.close();
    await testEnv().resetAws(); // leave moto empty for suites that assume a fresh account
  });
  beforeEach(async () => {
    await testEnv().resetAws();
    proxy.reset();
    clients = clientsFor(proxy.endpoint);
  });
  afterEach(() => clients.shutdown());

  it('describes 250 groups with exactly 3 DescribeAutoScalingGroups calls', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    await createGroups(direct, names.map((name) => ({ name })));
    const groups = await awsScalingGroups(clients, target).describe(names);
    assert.equal(groups.length, 250);
    assert.deepEqual(new Set(groups.map((g) => g.name)), new Set(names));
    assert.equal(proxy.count('DescribeAutoScalingGroups'), 3);
    assert.equal(proxy.count(), 3);
    assert.ok(proxy.requests.every((r) => r.params.MaxRecords === '100'));
  });

  it('maps what moto reports: sizes, in-service instances, instance types, tags, ARN', async () => {
    await createGroups(direct, [{ name: 'web', minSize: 1, maxSize: 4, desired: 2, tags: { app: 'web', env: 'prod' } }]);
    const [group] = await awsScalingGroups(clients, target).describe(['web']);
    assert.ok(group);
    assert.equal(group.name, 'web');
    assert.match(group.arn, /^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:.*:autoScalingGroupName\/web$/);
    assert.deepEqual([group.minSize, group.maxSize, group.desiredCapacity, group.inService], [1, 4, 2, 2]);
    assert.deepEqual(group.instanceTypes, ['t3.micro']);
    assert.deepEqual(group.tags, { app: 'web', env: 'prod' });
    assert.ok(group.createdTime instanceof Date);
  });

  it('leaves a missing group out of describe', async () => {
    await createGroups(direct, [{ name: 'present' }]);
    const groups = await awsScalingGroups(clients, target).describe(['present', 'absent']);
    assert.deepEqual(groups.map((g) => g.name), ['present']);
  });

  it('finds exactly the groups carrying every selected tag, across pages', async () => {
    const want = { app: 'orders', env: 'prod' };
    await createGroups(direct, [
      ...Array.from({ length: 7 }, (_, i) => ({ name: `orders-${i}`, tags: want })),
      { name: 'orders-superset', tags: { ...want, team: 'payments' } },
      { name: 'orders-dev', tags: { app: 'orders', env: 'dev' } },
      { name: 'orders-no-env', tags: { app: 'orders' } },
      { name: 'env-only', tags: { env: 'prod' } },
      { name: 'value-as-key', tags: { orders: 'app', prod: 'env' } },
      ...Array.from({ length: 6 }, (_, i) => ({ name: `other-${i}`, tags: { app: 'billing', env: 'prod' } })),
    ]);
    const groups = await awsScalingGroups(clients, target, { pageSize: 3 }).findByTags(want);
    const expected = [...Array.from({ length: 7 }, (_, i) => `orders-${i}`), 'orders-superset'];
    assert.deepEqual(groups.map((g) => g.name).sort(), expected.sort());
    assert.equal(proxy.count('DescribeAutoScalingGroups'), 3, '8 matches at 3 per page');
    assert.ok(proxy.requests.slice(1).every((r) => r.params.NextToken), 'later pages carry NextToken');
    assert.equal(proxy.requests[0]?.params['Filters.member.1.Name'], 'tag:app');
  });

  it('setLimits writes MaxSize and DesiredCapacity', async () => {
    await createGroups(direct, [{ name: 'clamp-me', maxSize: 20, desired: 3 }]);
    const groups = awsScalingGroups(clients, target);
    await groups.setLimits('clamp-me', { maxSize: 8, desiredCapacity: 2 });
    let seen = await readGroup(direct, 'clamp-me');
    assert.deepEqual([seen?.MaxSize, seen?.DesiredCapacity], [8, 2]);
    await groups.setLimits('clamp-me', { maxSize: 6 });
    seen = await readGroup(direct, 'clamp-me');
    assert.deepEqual([seen?.MaxSize, seen?.DesiredCapacity], [6, 2], 'an omitted field is left unchanged');
    assert.equal(proxy.count('UpdateAutoScalingGroup'), 2);
    assert.equal(proxy.count(), 2, 'setLimits never reads first');
  });

  it('setLimits on a missing group rejects with CloudError NotFound', async () => {
    const err = await awsScalingGroups(clients, target).setLimits('ghost', { maxSize: 1 }).catch((e: unknown) => e);
    assert.ok(err instanceof CloudError);
    assert.equal(err.kind, 'NotFound');
    assert.equal(err.code, 'ValidationError', 'Auto Scaling has no not-found code: moto, like AWS, says ValidationError "name not found"');
    assert.equal(err.retryable, false);
    assert.equal(err.httpStatus, 400);
  });

  it('turns injected throttling into CloudError Throttled', async () => {
    proxy.inject({ action: 'DescribeAutoScalingGroups', status: 400, code: 'Throttling', message: 'Rate exceeded' });
    const err = await awsScalingGroups(clients, target).describe(['any']).catch((e: unknown) => e);
    assert.ok(err instanceof CloudError);
    assert.deepEqual([err.kind, err.code, err.retryable], ['Throttled', 'Throttling', true]);
    assert.match(err.message, /autoscaling DescribeAutoScalingGroups failed \(Throttled, Throttling\): Rate exceeded/);
  });

  it('turns an injected 503 into CloudError Unavailable', async () => {
    proxy.inject({ status: 503, code: 'ServiceUnavailable', message: 'try later' });
    await assert.rejects(awsScalingGroups(clients, target).setLimits('any', { maxSize: 1 }), { name: 'CloudError', kind: 'Unavailable', httpStatus: 503 });
  });

  it('turns a dropped connection into CloudError Unavailable', async () => {
    proxy.inject({ reset: true });
    await assert.rejects(awsScalingGroups(clients, target).describe(['any']), { name: 'CloudError', kind: 'Unavailable' });
  });
});
