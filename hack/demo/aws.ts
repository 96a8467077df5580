// The demo's AWS account, in moto: the Auto Scaling groups the example guards name.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';

export interface DemoGroup {
  name: string;
  region: string;
  maxSize: number;
  desired: number;
  tags?: Record<string, string>;
}

/** The seed incident's worker group is over its ceiling; the audited prod groups vary. */
export const DEMO_GROUPS: readonly DemoGroup[] = [
  { name: 'orders-worker-asg', region: 'us-east-1', maxSize: 40, desired: 30 },
  { name: 'payments-api-asg', region: 'eu-west-1', maxSize: 60, desired: 12, tags: { team: 'payments', env: 'prod' } },
  { name: 'search-asg', region: 'eu-west-1', maxSize: 20, desired: 6, tags: { team: 'search', env: 'prod' } },
  { name: 'ingest-asg', region: 'eu-west-1', maxSize: 30, desired: 18, tags: { team: 'ingest', env: 'prod' } },
  { name: 'ingest-staging-asg', region: 'eu-west-1', maxSize: 30, desired: 2, tags: { team: 'ingest', env: 'staging' } },
];

const clients = new Map<string, AutoScalingClient>();
function client(region: string): AutoScalingClient {
  if (!clients.has(region)) clients.set(region, new AutoScalingClient({ region }));
  return clients.get(region)!;
}

export async function createDemoGroups(): Promise<void> {
  for (const region of new Set(DEMO_GROUPS.map((g) => g.region))) {
    await client(region).send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'demo', ImageId: 'ami-12c6146b', InstanceType: 'm5.large' }));
  }
  for (const g of DEMO_GROUPS) {
    await client(g.region).send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: g.name,
        LaunchConfigurationName: 'demo',
        MinSize: 0,
        MaxSize: g.maxSize,
        DesiredCapacity: g.desired,
        AvailabilityZones: [`${g.region}a`],
        Tags: Object.entries(g.tags ?? {}).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
      }),
    );
  }
}

export async function readDemoGroup(g: DemoGroup): Promise<{ maxSize?: number; desired?: number }> {
  const out = await client(g.region).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g.name] }));
  const found = out.AutoScalingGroups?.[0];
  return { maxSize: found?.MaxSize, desired: found?.DesiredCapacity };
}

/** What someone does in the console during an incident: raise the max "just for now". */
export async function raiseMaxSize(name: string, region: string, maxSize: number): Promise<void> {
  await client(region).send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MaxSize: maxSize }));
}
