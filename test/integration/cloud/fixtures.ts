// Builders for Auto Scaling groups in moto. They talk to moto directly (AWS_ENDPOINT_URL),
// never through the fault proxy, so the proxy records only the calls of the code under test.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import pLimit from 'p-limit';
import { Registry } from 'prom-client';
import { AwsClients, type AwsClientsOptions } from '../../../src/cloud/aws/clients.ts';

export const REGION = 'us-east-1';
const LAUNCH_CONFIGURATION = 'costguard-test';

export function directClient(): AutoScalingClient {
  return new AutoScalingClient({ region: REGION });
}

export interface GroupSpec {
  name: string;
  tags?: Record<string, string>;
  minSize?: number;
  maxSize?: number;
  desired?: number;
}

/** Creates the groups (and the launch configuration they share), 10 at a time. */
export async function createGroups(client: AutoScalingClient, specs: GroupSpec[]): Promise<void> {
  await client
    .send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: LAUNCH_CONFIGURATION, ImageId: 'ami-12c6146b', InstanceType: 't3.micro' }))
    .catch((err: unknown) => {
      if ((err as Error).name !== 'AlreadyExists') throw err;
    });
  const limit = pLimit(10);
  await Promise.all(specs.map((spec) => limit(() => client.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: spec.name,
    LaunchConfigurationName: LAUNCH_CONFIGURATION,
    MinSize: spec.minSize ?? 0,
    MaxSize: spec.maxSize ?? 5,
    DesiredCapacity: spec.desired ?? 0,
    AvailabilityZones: [`${REGION}a`],
    Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
  })))));
}

/** What moto holds for one group, read directly. */
export async function readGroup(client: AutoScalingClient, name: string): Promise<AutoScalingGroup | undefined> {
  const out = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0];
}

/** AwsClients pointed at `endpoint`, with SDK retries off unless asked for. */
export function clientsFor(endpoint: string, options: Partial<AwsClientsOptions> = {}): AwsClients {
  return new AwsClients({ registry: new Registry(), endpoint, maxAttempts: 1, ...options });
}
