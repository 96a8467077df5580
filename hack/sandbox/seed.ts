// What the sandbox starts with, so that every file in examples/ has something to guard: Auto
// Scaling groups and queues in moto, and in the cluster the Slack Secret, the orders worker's
// Deployment and HPA, the batch ScaledObject and two Karpenter NodePools (the stand-in CRDs the
// integration tests use). Each target starts above the ceiling its example sets, so an Enforce
// guard visibly clamps it and a DryRun guard visibly does not.
import { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'yaml';
import { peerCrdFiles } from '../localenv/index.ts';

export interface SeedGroup {
  region: string;
  name: string;
  maxSize: number;
  desired: number;
  tags: Record<string, string>;
}

/** The managed tag the shipped IAM policy requires before CostGuard may change a group. */
export const MANAGED = { 'costguard.io/managed': 'true' };

export const SEED_GROUPS: readonly SeedGroup[] = [
  // examples/orders-worker-guard.yaml: ceiling 20.
  { region: 'us-east-1', name: 'orders-worker-asg', maxSize: 40, desired: 12, tags: { app: 'orders-worker', ...MANAGED } },
  // examples/dryrun-audit-guard.yaml (eu-west-1): payments and ingest run above their proposed
  // ceilings (40 and 16), search below its 24.
  { region: 'eu-west-1', name: 'payments-prod', maxSize: 60, desired: 30, tags: { team: 'payments', env: 'prod', ...MANAGED } },
  { region: 'eu-west-1', name: 'search-prod', maxSize: 12, desired: 6, tags: { team: 'search', env: 'prod', ...MANAGED } },
  { region: 'eu-west-1', name: 'ingest-prod', maxSize: 30, desired: 8, tags: { team: 'ingest', env: 'prod', ...MANAGED } },
];

/** Queue names of examples/orders-worker-guard.yaml (moto's account is 123456789012, as in its URLs). */
export const SEED_QUEUES = ['orders', 'orders-dlq'];

/** Karpenter's and KEDA's real CRDs, as `make peer-crds` (a prerequisite of make sandbox) fetched them. */
export function extraCrds(): string[] {
  return peerCrdFiles();
}

/** What a NodePool needs under Karpenter's CRD besides its limits: a template with a node class and requirements. */
const NODEPOOL_TEMPLATE = {
  spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
};

export async function seedAws(): Promise<void> {
  for (const region of [...new Set(SEED_GROUPS.map((g) => g.region))]) {
    const asg = new AutoScalingClient({ region });
    try {
      for (const g of SEED_GROUPS.filter((s) => s.region === region)) {
        await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: g.name, ImageId: 'ami-12c6146b', InstanceType: 'm5.large' }));
        await asg.send(new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: g.name,
          LaunchConfigurationName: g.name,
          MinSize: 0,
          MaxSize: g.maxSize,
          DesiredCapacity: g.desired,
          AvailabilityZones: [`${region}a`],
          Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
        }));
      }
    } finally {
      asg.destroy();
    }
  }
  const sqs = new SQSClient({ region: 'us-east-1' });
  try {
    for (const QueueName of SEED_QUEUES) await sqs.send(new CreateQueueCommand({ QueueName }));
  } finally {
    sqs.destroy();
  }
}

const container = { name: 'worker', image: 'registry.example/orders-worker:1' };
const labels = { app: 'orders-worker' };

/** The cluster objects, as one YAML stream for `kubectl apply` (namespace `default`, NodePools cluster-wide). */
export function seedObjects(webhookUrl: string): string {
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'costguard-system' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack-webhook', namespace: 'default' }, stringData: { url: webhookUrl } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders-worker', namespace: 'default', labels },
      spec: { replicas: 40, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
    },
    {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'orders-worker', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders-worker' }, minReplicas: 2, maxReplicas: 50, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    },
    {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'batch-consumer', namespace: 'default' },
      spec: { scaleTargetRef: { name: 'batch-consumer' }, maxReplicaCount: 100, triggers: [{ type: 'cpu', metadata: { value: '70' } }] },
    },
    { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'default' }, spec: { limits: { cpu: '1000', memory: '4000Gi' }, template: NODEPOOL_TEMPLATE } },
    { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'batch' }, spec: { limits: { cpu: '256', memory: '1024Gi', nodes: '40' }, template: NODEPOOL_TEMPLATE } },
  ];
  return objects.map((o) => stringify(o)).join('---\n');
}
