// The HistorySources port on AWS: DescribeAutoScalingGroups (existence, EnabledMetrics, instance
// types), DescribeLaunchTemplateVersions when the group has no instance to read a type from
// (best effort: a denied or missing template only leaves the type unknown), and SQS GetQueueUrl.
// Only `costguard export` uses this file: sqs:GetQueueUrl is in the CLI's IAM actions
// (docs/history.md), not in the operator's policy, which never looks a queue up by name.
import { isCloudError } from '../errors.ts';
import type { GroupFacts, HistorySources } from '../history-sources.ts';
import { queueNameOf } from '../queues.ts';
import { autoScalingApi, toScalingGroup } from './autoscaling.ts';
import { lazy, type AwsClients, type AwsTarget } from './clients.ts';
import { awsLaunchTemplates } from './launch-templates.ts';
import { SQS } from './sqs.ts';

const sqsSdk = lazy(() => import('@aws-sdk/client-sqs'));

async function launchTemplateType(clients: AwsClients, target: AwsTarget, ref: Parameters<ReturnType<typeof awsLaunchTemplates>['instanceType']>[0]): Promise<string[]> {
  try {
    const type = await awsLaunchTemplates(clients, target).instanceType(ref);
    return type ? [type] : [];
  } catch (err) {
    if (isCloudError(err)) return [];
    throw err;
  }
}

export function awsHistorySources(clients: AwsClients, target: AwsTarget): HistorySources {
  const autoscaling = autoScalingApi(clients, target);
  return {
    async group(name: string): Promise<GroupFacts | undefined> {
      const out = await autoscaling.describeAutoScalingGroups({ AutoScalingGroupNames: [name], MaxRecords: 1 });
      const raw = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
      if (!raw) return undefined;
      const group = toScalingGroup(raw);
      const enabledMetrics = (raw.EnabledMetrics ?? []).flatMap((m) => (m.Metric ? [m.Metric] : []));
      const instanceTypes = group.instanceTypes.length || !group.launchTemplate ? group.instanceTypes : await launchTemplateType(clients, target, group.launchTemplate);
      return { name, enabledMetrics, instanceTypes };
    },
    async queue(nameOrUrl: string): Promise<string> {
      const QueueName = nameOrUrl.includes('://') ? queueNameOf(nameOrUrl) : nameOrUrl;
      const [client, { GetQueueUrlCommand }] = await Promise.all([clients.client(SQS, target), sqsSdk()]);
      await clients.call(SQS.name, 'GetQueueUrl', () => client.send(new GetQueueUrlCommand({ QueueName }), clients.sendOptions()));
      return QueueName;
    },
  };
}
