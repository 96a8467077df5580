import assert from 'node:assert/strict';
import type { AutoScalingGroup, DescribeAutoScalingGroupsCommandInput, Tag, UpdateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import { Registry } from 'prom-client';
import { AwsClients } from '../../../src/cloud/aws/clients.ts';
import { AwsScalingGroups, awsScalingGroups, toScalingGroup, type AutoScalingApi } from '../../../src/cloud/aws/autoscaling.ts';
import { CloudError } from '../../../src/cloud/errors.ts';

/** A group with defaults; tags as a record for brevity. */
function asg(name: string, overrides: Partial<AutoScalingGroup> & { tagMap?: Record<string, string> } = {}): AutoScalingGroup {
  const { tagMap = {}, ...rest } = overrides;
  return {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${name}`,
    MinSize: 0, MaxSize: 10, DesiredCapacity: 2, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'EC2', CreatedTime: new Date(Date.UTC(2025, 0, 1)),
    Tags: Object.entries(tagMap).map(([Key, Value]) => ({ Key, Value, ResourceId: name, ResourceType: 'auto-scaling-group' })),
    ...rest,
  };
}

/** A scripted AutoScalingApi over an in-memory list, paginating like AWS; records every call. */
class ScriptedApi implements AutoScalingApi {
  groups: AutoScalingGroup[] = [];
  describes: DescribeAutoScalingGroupsCommandInput[] = [];
  updates: UpdateAutoScalingGroupCommandInput[] = [];
  nextError: Error | undefined;

  describeAutoScalingGroups(input: DescribeAutoScalingGroupsCommandInput): ReturnType<AutoScalingApi['describeAutoScalingGroups']> {
    this.describes.push(input);
    const error = this.nextError;
    this.nextError = undefined;
    if (error) return Promise.reject(error);
    const names = input.AutoScalingGroupNames;
    const matching = this.groups.filter((g) => !names || names.includes(g.AutoScalingGroupName ?? ''));
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const size = input.MaxRecords ?? 50;
    const page = matching.slice(start, start + size);
    const NextToken = start + size < matching.length ? String(start + size) : undefined;
    return Promise.resolve({ AutoScalingGroups: page, NextToken });
  }

  updateAutoScalingGroup(input: UpdateAutoScalingGroupCommandInput): Promise<void> {
    this.updates.push(input);
    return Promise.resolve();
  }

  tagCalls: { op: 'set' | 'delete'; tags: Tag[] }[] = [];
  createOrUpdateTags(tags: Tag[]): Promise<void> {
    this.tagCalls.push({ op: 'set', tags });
    return Promise.resolve();
  }

  deleteTags(tags: Tag[]): Promise<void> {
    this.tagCalls.push({ op: 'delete', tags });
    return Promise.resolve();
  }
}

describe('AwsScalingGroups', () => {
  let api: ScriptedApi;
  beforeEach(() => {
    api = new ScriptedApi();
  });

  describe('describe', () => {
    it('batches names 100 per call with MaxRecords 100', async () => {
      api.groups = Array.from({ length: 250 }, (_, i) => asg(`g-${i}`));
      const groups = await new AwsScalingGroups(api).describe(api.groups.map((g) => g.AutoScalingGroupName ?? ''));
      assert.equal(groups.length, 250);
      assert.deepEqual(api.describes.map((d) => d.AutoScalingGroupNames?.length), [100, 100, 50]);
      assert.ok(api.describes.every((d) => d.MaxRecords === 100));
    });

    it('leaves missing names out and describes duplicates once', async () => {
      api.groups = [asg('a'), asg('b')];
      const groups = await new AwsScalingGroups(api).describe(['a', 'missing', 'a']);
      assert.deepEqual(groups.map((g) => g.name), ['a']);
      assert.deepEqual(api.describes[0]?.AutoScalingGroupNames, ['a', 'missing']);
    });

    it('makes no call for no names', async () => {
      assert.deepEqual(await new AwsScalingGroups(api).describe([]), []);
      assert.equal(api.describes.length, 0);
    });

    it('follows NextToken inside a batch', async () => {
      api.groups = Array.from({ length: 7 }, (_, i) => asg(`g-${i}`));
      const groups = await new AwsScalingGroups(api, { pageSize: 3 }).describe(api.groups.map((g) => g.AutoScalingGroupName ?? ''));
      assert.equal(groups.length, 7);
      assert.equal(api.describes.length, 3);
    });

    it('rejects the whole call when one batch fails, never returning a partial answer', async () => {
      api.groups = [asg('a')];
      api.nextError = new CloudError({ kind: 'Throttled', service: 'autoscaling', operation: 'DescribeAutoScalingGroups', code: 'Throttling' });
      await assert.rejects(new AwsScalingGroups(api).describe(['a']), { kind: 'Throttled' });
    });
  });

  describe('findByTags', () => {
    it('sends one tag:KEY filter per pair and pages to the end', async () => {
      api.groups = Array.from({ length: 5 }, (_, i) => asg(`g-${i}`, { tagMap: { app: 'orders', env: 'prod' } }));
      const groups = await new AwsScalingGroups(api, { pageSize: 2 }).findByTags({ app: 'orders', env: 'prod' });
      assert.equal(groups.length, 5);
      assert.equal(api.describes.length, 3);
      assert.deepEqual(api.describes[0]?.Filters, [{ Name: 'tag:app', Values: ['orders'] }, { Name: 'tag:env', Values: ['prod'] }]);
      assert.equal(api.describes[0]?.AutoScalingGroupNames, undefined);
    });

    it('re-checks every tag locally, so a looser backend cannot widen the selection', async () => {
      api.groups = [asg('match', { tagMap: { app: 'orders', env: 'prod', team: 'x' } }), asg('other-env', { tagMap: { app: 'orders', env: 'dev' } }), asg('no-tags')];
      const groups = await new AwsScalingGroups(api).findByTags({ app: 'orders', env: 'prod' });
      assert.deepEqual(groups.map((g) => g.name), ['match']);
    });

    it('refuses an empty selector', async () => {
      await assert.rejects(new AwsScalingGroups(api).findByTags({}), TypeError);
      assert.equal(api.describes.length, 0);
    });
  });

  describe('setLimits', () => {
    it('writes only the fields given, in one UpdateAutoScalingGroup', async () => {
      const groups = new AwsScalingGroups(api);
      await groups.setLimits('a', { maxSize: 5 });
      await groups.setLimits('a', { maxSize: 5, desiredCapacity: 3 });
      await groups.setLimits('a', { desiredCapacity: 0 });
      await groups.setLimits('a', { minSize: 2, maxSize: 2 });
      assert.deepEqual(api.updates, [
        { AutoScalingGroupName: 'a', MinSize: undefined, MaxSize: 5, DesiredCapacity: undefined },
        { AutoScalingGroupName: 'a', MinSize: undefined, MaxSize: 5, DesiredCapacity: 3 },
        { AutoScalingGroupName: 'a', MinSize: undefined, MaxSize: undefined, DesiredCapacity: 0 },
        { AutoScalingGroupName: 'a', MinSize: 2, MaxSize: 2, DesiredCapacity: undefined },
      ]);
    });

    const invalid: Array<{ name: string; limits: object; comment: string }> = [
      { name: 'a', limits: {}, comment: 'no field' },
      { name: 'a', limits: { maxSize: -1 }, comment: 'negative' },
      { name: 'a', limits: { maxSize: 2.5 }, comment: 'fractional' },
      { name: 'a', limits: { desiredCapacity: Number.NaN }, comment: 'NaN' },
      { name: 'a', limits: { maxSize: 2, desiredCapacity: 3 }, comment: 'desired above max (AWS rejects it, moto does not)' },
      { name: '', limits: { maxSize: 2 }, comment: 'empty name' },
    ];
    for (const c of invalid) {
      it(`throws TypeError without calling AWS: ${c.comment}`, async () => {
        await assert.rejects(new AwsScalingGroups(api).setLimits(c.name, c.limits), TypeError);
        assert.equal(api.updates.length, 0);
      });
    }
  });

  describe('setTags / deleteTags', () => {
    it('tags the group itself, never its instances, and deletes by key', async () => {
      const groups = new AwsScalingGroups(api);
      await groups.setTags('a', { 'costguard.io/original-max-size': '40' });
      await groups.deleteTags('a', ['costguard.io/original-max-size']);
      assert.deepEqual(api.tagCalls, [
        { op: 'set', tags: [{ ResourceId: 'a', ResourceType: 'auto-scaling-group', Key: 'costguard.io/original-max-size', Value: '40', PropagateAtLaunch: false }] },
        { op: 'delete', tags: [{ ResourceId: 'a', ResourceType: 'auto-scaling-group', Key: 'costguard.io/original-max-size' }] },
      ]);
    });

    it('throws TypeError for an empty tag map or key list without calling AWS', async () => {
      const groups = new AwsScalingGroups(api);
      await assert.rejects(groups.setTags('a', {}), TypeError);
      await assert.rejects(groups.deleteTags('a', []), TypeError);
      await assert.rejects(groups.setTags('', { k: 'v' }), TypeError);
      assert.equal(api.tagCalls.length, 0);
    });
  });

  it('reports a target without region as a TypeError, not as a retryable AWS failure', async () => {
    const clients = new AwsClients({ registry: new Registry() });
    try {
      await assert.rejects(awsScalingGroups(clients, { region: '' }).describe(['a']), TypeError);
    } finally {
      clients.shutdown();
    }
  });

  it('validates pageSize', () => {
    assert.throws(() => new AwsScalingGroups(api, { pageSize: 101 }), TypeError);
    assert.throws(() => new AwsScalingGroups(api, { pageSize: 0 }), TypeError);
  });
});

describe('toScalingGroup', () => {
  it('maps sizes, tags, in-service count and distinct instance types', () => {
    const group = toScalingGroup(asg('a', {
      tagMap: { app: 'orders' },
      Instances: [
        { InstanceId: 'i-1', LifecycleState: 'InService', InstanceType: 't3.micro', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
        { InstanceId: 'i-2', LifecycleState: 'Pending', InstanceType: 't3.micro', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
        { InstanceId: 'i-3', LifecycleState: 'InService', InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
      ],
      MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'c5.large' }, { InstanceType: 't3.micro' }] } },
    }));
    assert.deepEqual({ ...group }, {
      name: 'a',
      arn: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/a',
      minSize: 0, maxSize: 10, desiredCapacity: 2, inService: 2,
      instanceTypes: ['c5.large', 'm5.large', 't3.micro'],
      tags: { app: 'orders' },
      createdTime: new Date(Date.UTC(2025, 0, 1)),
      inServiceByType: { 't3.micro': 1, 'm5.large': 1 },
      overrideTypes: ['c5.large', 't3.micro'],
    });
  });

  it('names the launch template of a plain or mixed-instances group (cost estimate)', () => {
    const plain = toScalingGroup({ AutoScalingGroupName: 'p', LaunchTemplate: { LaunchTemplateName: 'lt', Version: '$Latest' } } as AutoScalingGroup);
    assert.deepEqual(plain.launchTemplate, { name: 'lt', version: '$Latest' });
    const mixed = toScalingGroup({
      AutoScalingGroupName: 'm',
      MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1' } } },
    } as AutoScalingGroup);
    assert.deepEqual(mixed.launchTemplate, { id: 'lt-1' });
    assert.deepEqual(mixed.overrideTypes, []);
  });

  it('tolerates a sparse answer', () => {
    const group = toScalingGroup({ AutoScalingGroupName: 'x' } as AutoScalingGroup);
    assert.equal(group.inService, 0);
    assert.deepEqual(group.instanceTypes, []);
    assert.deepEqual(group.tags, {});
    assert.equal('createdTime' in group, false);
  });
});
