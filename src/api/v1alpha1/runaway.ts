// Breakers and runaway detection: the parts of the spec that look at retries and throughput
// instead of at capacity alone.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { RUNAWAY_ACTIONS } from './constants.ts';
import { Duration, Percent, SecretKeyRef, Url } from './common.ts';
import { StringEnum, withRules } from './kit.ts';

export const BreakerSpec = Type.Object(
  {
    errorThresholdPercentage: Percent({
      description: 'Share of failed calls, in percent, that opens a replica\'s breaker (opossum errorThresholdPercentage).',
      minimum: 1,
      default: 50,
    }),
    volumeThreshold: Type.Integer({
      description:
        'Calls a breaker must see in its window before it may open. At least 1: with 0 a single failure opens it.',
      minimum: 1,
      maximum: 1_000_000,
      default: 10,
    }),
    resetTimeout: Duration({
      description: 'How long an open breaker waits before letting a trial call through (half-open).',
      default: '30s',
      max: '1h',
    }),
    fleetOpenPercent: Percent({
      description:
        'Share of replicas, in percent, with an open breaker at which the downstream counts as down for the whole fleet.',
      minimum: 1,
      default: 50,
    }),
  },
  { description: 'Circuit-breaker settings handed to every worker replica, plus the fleet quorum.' },
);
export type BreakerSpec = Static<typeof BreakerSpec>;

/** SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<queue>; any host, for endpoints like moto. */
export const SQS_QUEUE_URL_PATTERN = '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?$';

export const SqsSignal = Type.Object(
  {
    queueUrl: Url({
      description: 'URL of the queue the workers consume, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders.',
      pattern: SQS_QUEUE_URL_PATTERN,
    }),
    deadLetterQueueUrl: Type.Optional(
      Url({ description: 'URL of the dead-letter queue; its inflow counts as retries that gave up.', pattern: SQS_QUEUE_URL_PATTERN }),
    ),
  },
  { description: 'Read receives, deletes and queue depth from CloudWatch for this queue.' },
);

export const WorkersSignal = Type.Object(
  {
    metricsPort: Type.Integer({
      description: 'Port on which the worker library serves Prometheus metrics in each pod.',
      minimum: 1,
      maximum: 65535,
      default: 9464,
    }),
    path: Type.String({ description: 'HTTP path of the metrics endpoint.', maxLength: 256, pattern: '^/', default: '/metrics' }),
  },
  {
    description:
      'Scrape the worker library\'s metrics (attempts, retries, successes) from the pods of ' +
      'spec.concurrency.workload, or else of the first Deployment or StatefulSet in spec.workloads.',
  },
);

function PromQL(description: string) {
  return Type.String({ description, minLength: 1, maxLength: 4096 });
}

export const PrometheusSignal = Type.Object(
  {
    url: Url({ description: 'Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090.' }),
    retries: PromQL('PromQL giving retries per second, e.g. sum(rate(jobs_retried_total[2m])).'),
    attempts: Type.Optional(PromQL('PromQL giving attempts per second; with it the retry ratio is retries/attempts.')),
    throughput: Type.Optional(PromQL('PromQL giving useful completions per second (the work that matters).')),
    bearerTokenSecretRef: Type.Optional(SecretKeyRef),
  },
  { description: 'Read the retry and throughput signals from a Prometheus-compatible API.' },
);

export const RunawaySignals = withRules(
  Type.Object(
    {
      sqs: Type.Optional(SqsSignal),
      workers: Type.Optional(WorkersSignal),
      prometheus: Type.Optional(PrometheusSignal),
    },
    { description: 'Where the retry and throughput signals come from; capacity comes from the targets.' },
  ),
  [
    {
      rule: 'has(self.sqs) || has(self.workers) || has(self.prometheus)',
      message: 'at least one signal source is required: sqs, workers or prometheus',
      check: (self) => self.sqs !== undefined || self.workers !== undefined || self.prometheus !== undefined,
    },
  ],
);

export const RunawaySpec = Type.Object(
  {
    signals: RunawaySignals,
    window: Duration({
      description: 'How far back the detector compares capacity, retry ratio and throughput per unit of capacity.',
      default: '30m',
      max: '24h',
    }),
    retryBudgetPercent: Percent({
      description: 'Retries allowed as a share of attempts before the retry ratio counts as rising past budget.',
      default: 10,
    }),
    action: StringEnum(RUNAWAY_ACTIONS, {
      description:
        'What to do on a suspected runaway: Alert only; Freeze every ceiling at current capacity and tell ' +
        'workers to stop retrying; or Shed, which also scales consumers down while the fleet\'s breakers say ' +
        'the downstream is down.',
      default: 'Alert',
    }),
    cooldown: Duration({
      description: 'How long signals must stay healthy before the brake starts releasing, in steps.',
      default: '15m',
      max: '24h',
    }),
  },
  { description: 'Feedback-loop detection ("capacity up, retries up, useful throughput flat") and the brake.' },
);
export type RunawaySpec = Static<typeof RunawaySpec>;
