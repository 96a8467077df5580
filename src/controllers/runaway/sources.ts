// The signal sources of one guard, built from spec.runaway: capacity from the ceilings'
// observations always, then SQS depth and CloudWatch counters, the worker library's metrics,
// and Prometheus, as configured.
import type { CostGuard, RunawaySpec } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { Queues } from '../../cloud/queues.ts';
import { capacitySource } from '../../signals/capacity.ts';
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

export function buildSources(guard: CostGuard, target: AwsTarget, services: SignalServices, current: () => CostGuard | undefined): SignalSource[] {
  const signals = guard.spec.runaway?.signals;
  const sources: SignalSource[] = [capacitySource(current)];
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
