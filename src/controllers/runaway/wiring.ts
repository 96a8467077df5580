// Builds the runaway controller's services from the operator's shared pieces, so the
// operator's wiring stays one call: AWS ports per target, the shared CloudWatch batch,
// worker pods and Secrets through the API server.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { Notifier } from '../../alerting/notifier.ts';
import type { AwsClients, AwsTarget } from '../../cloud/aws/clients.ts';
import { awsQueueMetrics } from '../../cloud/aws/cloudwatch.ts';
import { awsQueues } from '../../cloud/aws/sqs.ts';
import { queueNameOf, type Queues } from '../../cloud/queues.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import { SharedQueueMetrics } from '../../signals/queue-metrics.ts';
import { awsTargetOf } from '../resources.ts';
import { RunawayReconciler, type RunawayDeps } from './controller.ts';
import { OPEN_POLICY, permittedGuard, type TenancyPolicy } from '../targets/tenancy.ts';
import { RunawayMetrics } from './metrics.ts';
import { kubeWorkerTargets } from './worker-pods.ts';
import type { Registry } from 'prom-client';

export interface RunawayWiring {
  guards: Informer<CostGuard>;
  rest: RestClient;
  aws: AwsClients;
  registry: Registry;
  defaultRegion: string;
  notifier: Notifier;
  sampleIntervalMs?: number;
  /** The shared observation of a guard's targets (controllers/targets). */
  capacity: RunawayDeps['capacity'];
  tenancy?: TenancyPolicy;
}

export function runawayReconciler(w: RunawayWiring): RunawayReconciler {
  const key = (t: AwsTarget) => `${t.region}|${t.roleArn ?? ''}`;
  const queuePorts = new Map<string, Queues>();
  const interval = w.sampleIntervalMs ?? 30_000;
  const queueMetrics = new SharedQueueMetrics({
    metrics: (target) => awsQueueMetrics(w.aws, target),
    queuesFor: (target) =>
      w.guards
        .list()
        .map((g) => permittedGuard(g, w.tenancy ?? OPEN_POLICY))
        .filter((g) => key(awsTargetOf(g, w.defaultRegion)) === key(target))
        .flatMap((g) => (g.spec.runaway?.signals.sqs ? [queueNameOf(g.spec.runaway.signals.sqs.queueUrl)] : [])),
    // A little under the interval, so each sampling cycle makes one fresh batch.
    maxAgeMs: Math.max(1000, interval - 1000),
  });
  return new RunawayReconciler({
    guards: w.guards,
    notifier: w.notifier,
    metrics: new RunawayMetrics(w.registry),
    defaultRegion: w.defaultRegion,
    capacity: w.capacity,
    ...(w.tenancy ? { tenancy: w.tenancy } : {}),
    ...(w.sampleIntervalMs ? { sampleIntervalMs: w.sampleIntervalMs } : {}),
    services: {
      queues: (target) => {
        if (!queuePorts.has(key(target))) queuePorts.set(key(target), awsQueues(w.aws, target));
        return queuePorts.get(key(target))!;
      },
      queueMetrics,
      workerTargets: (guard) => kubeWorkerTargets(w.rest, guard),
      secret: async (namespace, ref) => {
        const s = await w.rest.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(ref.name)}`);
        const v = s.data?.[ref.key];
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8').trim();
      },
    },
  });
}
