// The signal sources of one guard, built from spec.runaway: SQS depth and CloudWatch counters,
// the worker library's metrics, and Prometheus, as configured. Capacity is not one of them: the
// controller samples it from the shared observation of the targets (controllers/targets), the
// same view the brake freezes from.
import type { CostGuard, RunawaySpec } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { Queues } from '../../cloud/queues.ts';
import { prometheusSource, type PrometheusQueries } from '../../signals/prometheus.ts';
import type { SharedQueueMetrics } from '../../signals/queue-metrics.ts';
import type { SignalSource } from '../../signals/source.ts';
import { sqsCountersSource, sqsDepthSource } from '../../signals/sqs.ts';
import { workersSource, type WorkerTargets } from '../../signals/workers.ts';

export interface SignalServices {
  queues(target: AwsTarget): Queues;
  queueMetrics: SharedQueueMetrics;
  /** The worker pods' metrics endpoints of a guard, or undefined when it names no workload. */
  workerTargets(guard: CostGuard): WorkerTargets | undefined;
  /** Reads a Secret key in the guard's namespace (for a Prometheus bearer token). */
  secret(namespace: string, ref: { name: string; key: string }): Promise<string | undefined>;
  fetch?: typeof fetch;
}

export function buildSources(guard: CostGuard, target: AwsTarget, services: SignalServices): SignalSource[] {
  const signals = guard.spec.runaway?.signals;
  const sources: SignalSource[] = [];
  if (signals?.sqs) {
    sources.push(sqsDepthSource(services.queues(target), signals.sqs.queueUrl, signals.sqs.deadLetterQueueUrl));
    sources.push(sqsCountersSource(services.queueMetrics.reader(target), signals.sqs.queueUrl));
  }
  const pods = signals?.workers ? services.workerTargets(guard) : undefined;
  if (pods) sources.push(workersSource(pods, services.fetch));
  const prom = signals?.prometheus;
  if (prom) sources.push(prometheusSource(prometheusQueries(prom, guard.metadata.namespace ?? '', services), services.fetch));
  return sources;
}

function prometheusQueries(prom: NonNullable<RunawaySpec['signals']['prometheus']>, namespace: string, services: SignalServices): PrometheusQueries {
  const ref = prom.bearerTokenSecretRef;
  return {
    url: prom.url,
    retries: prom.retries,
    ...(prom.attempts ? { attempts: prom.attempts } : {}),
    ...(prom.throughput ? { throughput: prom.throughput } : {}),
    ...(ref ? { bearerToken: () => services.secret(namespace, ref) } : {}),
  };
}
