// The demo's AWS account, in moto: the worker's SQS queue and its Auto Scaling group.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

export const REGION = 'us-east-1';
export const INSTANCE_TYPE = 'm5.large';

export interface DemoAws {
  asg: AutoScalingClient;
  sqs: SQSClient;
  close(): void;
}

export function demoAws(): DemoAws {
  const asg = new AutoScalingClient({ region: REGION });
  // Many workers long-poll at once: room for all their connections.
  const sqs = new SQSClient({ region: REGION, requestHandler: { httpAgent: { keepAlive: true, maxSockets: 512 } } });
  return { asg, sqs, close: () => (asg.destroy(), sqs.destroy()) };
}

export async function createQueue(aws: DemoAws, name: string): Promise<string> {
  const out = await aws.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '3' } }));
  return out.QueueUrl!;
}

export async function createGroup(aws: DemoAws, name: string, g: { min: number; max: number; desired: number }): Promise<void> {
  await aws.asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: name, ImageId: 'ami-12c6146b', InstanceType: INSTANCE_TYPE }));
  await aws.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: name,
      MinSize: g.min,
      MaxSize: g.max,
      DesiredCapacity: g.desired,
      AvailabilityZones: [`${REGION}a`],
      Tags: [{ Key: 'app', Value: 'orders-worker', PropagateAtLaunch: false }],
    }),
  );
}

export interface GroupView {
  min: number;
  max: number;
  desired: number;
}

export async function readGroup(aws: DemoAws, name: string): Promise<GroupView> {
  const out = await aws.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const g = out.AutoScalingGroups?.[0];
  if (!g) throw new Error(`Auto Scaling group ${name} not found`);
  return { min: g.MinSize ?? 0, max: g.MaxSize ?? 0, desired: g.DesiredCapacity ?? 0 };
}

export async function setDesired(aws: DemoAws, name: string, desired: number): Promise<void> {
  await aws.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: desired, HonorCooldown: false }));
}

/** What a scheduled action does: sets the group's minimum, and its desired capacity with it. */
export async function setMinimum(aws: DemoAws, name: string, min: number, desired: number): Promise<void> {
  await aws.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: min, DesiredCapacity: desired }));
}

export async function sendBatch(aws: DemoAws, queueUrl: string, first: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, k) => ({ Id: String(k), MessageBody: JSON.stringify({ order: first + i + k }) }));
    await aws.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}

export async function queueDepth(aws: DemoAws, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}
