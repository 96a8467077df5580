// Builders for the peers' objects, valid under their real CRDs (make peer-crds): each fills in
// what Karpenter or KEDA requires (a NodePool's template with nodeClassRef and requirements, a
// NodeClaim's nodeClassRef and requirements, a ScaledObject's or ScaledJob's triggers) so a test
// states only what it is about.
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { rest } from '../runtime/helpers.ts';

const NODE_CLASS = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' };
const AMD64 = [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }];
const SQS_TRIGGER = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders', queueLength: '5', awsRegion: 'us-east-1' } };

export interface NodePoolOptions {
  limits?: Record<string, string | number>;
  /** Requirements of the template (default: amd64). */
  requirements?: { key: string; operator: string; values?: string[] }[];
  /** Set: a static NodePool (Karpenter accepts only limits.nodes on it). */
  replicas?: number;
}

export function nodePoolBody(name: string, o: NodePoolOptions = {}): Record<string, unknown> {
  const spec = {
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
    template: { spec: { nodeClassRef: NODE_CLASS, requirements: o.requirements ?? AMD64 } },
  };
  return { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name }, spec };
}

export function createNodePool(name: string, o: NodePoolOptions = {}): Promise<unknown> {
  return rest().create(collectionPath(Resources.karpenterNodePools), nodePoolBody(name, o));
}

export function nodeClaimBody(name: string, labels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', metadata: { name, labels }, spec: { nodeClassRef: NODE_CLASS, requirements: AMD64 } };
}

export function scaledObjectBody(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name }, spec: { scaleTargetRef: { name }, triggers: [SQS_TRIGGER], ...spec } };
}

export function createScaledObject(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<unknown> {
  return rest().create(collectionPath(Resources.kedaScaledObjects, namespace), scaledObjectBody(name, spec));
}

export function scaledJobBody(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'example.com/worker:1' }] } };
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name }, spec: { jobTargetRef: { template }, triggers: [SQS_TRIGGER], ...spec } };
}

export function createScaledJob(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<unknown> {
  return rest().create(collectionPath(Resources.kedaScaledJobs, namespace), scaledJobBody(name, spec));
}

/**
 * What the KEDA operator does for a ScaledObject (there is no KEDA operator in the tests): an
 * HPA named keda-hpa-<name> on the scale target, named in the ScaledObject's status.hpaName,
 * reporting `currentReplicas`.
 */
export async function createKedaHpa(namespace: string, name: string, o: { maxReplicas: number; currentReplicas: number }): Promise<string> {
  const hpaName = `keda-hpa-${name}`;
  await rest().create(collectionPath(Resources.horizontalPodAutoscalers, namespace), {
    metadata: { name: hpaName },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: o.maxReplicas },
  });
  await setHpaReplicas(namespace, hpaName, o.currentReplicas);
  await rest().patch(`${objectPath(Resources.kedaScaledObjects, namespace, name)}/status`, { status: { hpaName } }, ContentType.mergePatch);
  return hpaName;
}

export function setHpaReplicas(namespace: string, hpaName: string, replicas: number): Promise<unknown> {
  return rest().patch(`${objectPath(Resources.horizontalPodAutoscalers, namespace, hpaName)}/status`, { status: { currentReplicas: replicas, desiredReplicas: replicas } }, ContentType.mergePatch);
}

/** A Job as KEDA starts one for a ScaledJob (labelled scaledjob.keda.sh/name); with no Job controller here, it never finishes. */
export async function createScaledJobJob(namespace: string, scaledJob: string, jobName: string): Promise<void> {
  const template = { metadata: { labels: { job: jobName } }, spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'example.com/worker:1' }] } };
  await rest().create(collectionPath(Resources.jobs, namespace), { metadata: { name: jobName, labels: { 'scaledjob.keda.sh/name': scaledJob } }, spec: { template } });
}
