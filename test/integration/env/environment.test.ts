// The test environment itself: a real API server with RBAC and certificate auth, and moto.
import assert from 'node:assert/strict';
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, CreateLaunchConfigurationCommand, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { testEnv } from '../../harness/env.ts';

describe('test environment', () => {
  it('serves a real Kubernetes API that stores objects in etcd', async () => {
    const env = testEnv();
    const version = await env.kubeConfig.makeApiClient(VersionApi).getCode();
    assert.equal(version.major, '1');
    assert.match(version.gitVersion, /^v1\.35\./);
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'env-smoke' } } });
    const ns = await core.readNamespace({ name: 'env-smoke' });
    assert.ok(ns.metadata?.uid);
  });

  it('authorizes with RBAC: a user with no bindings is forbidden', async () => {
    const res = await testEnv().kubectl(['get', 'configmaps', '-n', 'default', '--as', 'nobody@example.com']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /forbidden/i);
  });

  it('points the AWS SDK at moto through AWS_ENDPOINT_URL, and reset empties it', async () => {
    assert.equal(process.env.AWS_ENDPOINT_URL, testEnv().awsEndpoint);
    // Other suites share this moto; start from an empty account.
    await testEnv().resetAws();
    const asg = new AutoScalingClient({});
    await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'smoke', ImageId: 'ami-12c6146b', InstanceType: 't3.micro' }));
    const before = await asg.send(new DescribeLaunchConfigurationsCommand({}));
    assert.equal(before.LaunchConfigurations?.length, 1);
    await testEnv().resetAws();
    const after = await asg.send(new DescribeLaunchConfigurationsCommand({}));
    assert.equal(after.LaunchConfigurations?.length, 0);
    const groups = await asg.send(new DescribeAutoScalingGroupsCommand({}));
    assert.deepEqual(groups.AutoScalingGroups, []);
  });
});
