// The labelled scenarios of the trace corpus (test/traces/). Each is the fleet model with a
// story: what the arrivals do, what the downstream does, which columns the observer sees.
import type { SignalColumn } from '../../src/signals/sample.ts';
import { SIGNAL_COLUMNS } from '../../src/signals/sample.ts';
import type { ModelParams } from './model.ts';
import type { Observation } from './observe.ts';

export interface Scenario {
  name: string;
  description: string;
  /** "runaway": the label's onset is the first scale-out after `degradedAt` (see label.ts). */
  kind: 'runaway' | 'normal';
  /** When the loop's cause began (the downstream slowed, the load crossed its knee). */
  degradedAt?: number;
  params: ModelParams;
  /** How the observer's view differs from the truth (gaps, resolution, disagreement). */
  observation?: Observation;
  /** Columns written; the others are "not observed". */
  columns: readonly SignalColumn[];
}

const HOUR = 3600;

/** The incident's fleet: 7 instances of 10 slots, a 2 s job, a 30 s visibility timeout. */
function base(seed: number, over: Partial<ModelParams> = {}): ModelParams {
  return {
    seed,
    durationSeconds: 2 * HOUR,
    interval: 30,
    arrivals: () => 20,
    downstreamCapacity: () => 150,
    serviceTime: 2,
    visibilityTimeout: 30,
    maxReceiveCount: 5,
    slotsPerInstance: 10,
    initialInstances: 7,
    minSize: 2,
    maxSize: 40,
    targetUtilization: 0.6,
    alarmPeriods: 2,
    scaleOutCooldown: 120,
    scaleInPeriods: 15,
    warmup: 60,
    noise: 0.03,
    price: 0.192,
    ...over,
  };
}

const ALL = SIGNAL_COLUMNS;
const without = (...drop: SignalColumn[]) => ALL.filter((c) => !drop.includes(c));
const step = (at: number, before: number, after: number) => (t: number) => (t < at ? before : after);
/** The downstream degrades gradually from `at` over `over` seconds. */
const ramp = (at: number, over: number, from: number, to: number) => (t: number) =>
  t < at ? from : t > at + over ? to : from + ((to - from) * (t - at)) / over;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'runaway-incident',
    degradedAt: 2400,
    description: 'The postmortem: the downstream slows at 40 min, slow jobs fill the slots, scaling adds instances that add load.',
    kind: 'runaway',
    params: base(1, { downstreamCapacity: step(2400, 150, 30) }),
    columns: ALL,
  },
  {
    name: 'runaway-early',
    degradedAt: 900,
    description: 'The same loop starting 15 minutes in, while the window is still filling.',
    kind: 'runaway',
    params: base(2, { downstreamCapacity: step(900, 150, 35) }),
    columns: ALL,
  },
  {
    name: 'runaway-slow-degradation',
    degradedAt: 1800,
    description: 'The downstream degrades over 20 minutes instead of at once: a slower onset.',
    kind: 'runaway',
    params: base(3, { downstreamCapacity: ramp(1800, 1200, 150, 30) }),
    columns: ALL,
  },
  {
    name: 'runaway-fast-scaling',
    degradedAt: 3000,
    description: 'Aggressive target tracking (one alarm period, 60 s cooldown, 30 s warmup): a fast loop.',
    kind: 'runaway',
    params: base(4, { downstreamCapacity: step(3000, 150, 30), alarmPeriods: 1, scaleOutCooldown: 60, warmup: 30 }),
    columns: ALL,
  },
  {
    name: 'runaway-slow-scaling',
    degradedAt: 2400,
    description: 'Conservative target tracking (three alarm periods, 5 min cooldown): a slow loop.',
    kind: 'runaway',
    params: base(5, { downstreamCapacity: step(2400, 150, 30), alarmPeriods: 3, scaleOutCooldown: 300 }),
    columns: ALL,
  },
  {
    name: 'runaway-noisy',
    degradedAt: 2400,
    description: 'The incident with 10 % noise on arrivals and on every counter.',
    kind: 'runaway',
    params: base(6, { downstreamCapacity: step(2400, 150, 30), noise: 0.1 }),
    columns: ALL,
  },
  {
    name: 'runaway-sqs-only',
    degradedAt: 2400,
    description: 'Only the ASG and CloudWatch SQS metrics are observed: no worker metrics, no DLQ.',
    kind: 'runaway',
    params: base(7, { downstreamCapacity: step(2400, 150, 30) }),
    columns: ['desired', 'in_service', 'sqs_sent', 'sqs_received', 'sqs_deleted', 'sqs_visible', 'sqs_not_visible'],
  },
  {
    name: 'runaway-workers-only',
    degradedAt: 2400,
    description: 'Only the scraped worker metrics and in-service count: no SQS, no desired capacity.',
    kind: 'runaway',
    params: base(8, { downstreamCapacity: step(2400, 150, 30) }),
    columns: ['in_service', 'worker_attempts', 'worker_retries', 'worker_successes', 'worker_failures'],
  },
  {
    name: 'runaway-load-triggered',
    degradedAt: 2700,
    description: 'A burst of traffic pushes a weak downstream past its knee: the loop starts from load, not from a failure.',
    kind: 'runaway',
    params: base(9, { arrivals: step(2700, 20, 32), downstreamCapacity: () => 55 }),
    columns: without('price_per_hour'),
  },
  {
    name: 'normal-steady',
    description: 'Flat load, healthy downstream.',
    kind: 'normal',
    params: base(10),
    columns: ALL,
  },
  {
    name: 'normal-load-growth',
    description: 'Traffic triples over 30 minutes; throughput grows with capacity.',
    kind: 'normal',
    params: base(11, { arrivals: ramp(1800, 1800, 20, 60), downstreamCapacity: () => 600 }),
    columns: ALL,
  },
  {
    name: 'normal-flash-crowd',
    description: 'Traffic jumps 4× for 10 minutes; a few retries from the backlog stay within budget.',
    kind: 'normal',
    params: base(12, { arrivals: (t) => (t >= 3000 && t < 3600 ? 80 : 20), downstreamCapacity: () => 500 }),
    columns: ALL,
  },
  {
    name: 'normal-diurnal',
    description: 'A day compressed into 6 hours: a sinusoidal ramp from 8 to 40 messages per second and back.',
    kind: 'normal',
    params: base(13, {
      durationSeconds: 6 * HOUR,
      arrivals: (t) => 24 - 16 * Math.cos((2 * Math.PI * t) / (6 * HOUR)),
      downstreamCapacity: () => 400,
      initialInstances: 3,
    }),
    columns: ALL,
  },
  {
    name: 'normal-deploy',
    description: 'An instance refresh with 3 extra instances for 10 minutes and 6 % cold-start errors.',
    kind: 'normal',
    params: base(14, { deploy: { from: 3000, to: 3600, surge: 3, coldErrorRate: 0.06 } }),
    columns: ALL,
  },
  {
    name: 'normal-downstream-outage',
    description: 'The downstream fails fast for 20 minutes; breakers open, nothing scales: a downstream problem, not a loop.',
    kind: 'normal',
    params: base(15, { errorRate: (t) => (t >= 2400 && t < 3600 ? 0.95 : 0) }),
    columns: ALL,
  },
  {
    name: 'normal-organic-growth',
    description: 'Traffic doubles over 4 hours; the fleet follows.',
    kind: 'normal',
    params: base(16, { durationSeconds: 4 * HOUR, arrivals: (t) => 20 + (20 * t) / (4 * HOUR), downstreamCapacity: () => 400 }),
    columns: ALL,
  },
  {
    name: 'normal-at-max',
    description: 'The incident\'s slow downstream on a fleet already at MaxSize: retries rise but capacity cannot, the ceiling holds.',
    kind: 'normal',
    params: base(17, { downstreamCapacity: step(2400, 150, 30), initialInstances: 12, maxSize: 12, minSize: 12 }),
    columns: ALL,
  },
  {
    name: 'normal-flash-crowd-sparse',
    description: 'A flash crowd seen only through the ASG and SQS, with 8 % noise.',
    kind: 'normal',
    params: base(18, { arrivals: (t) => (t >= 2400 && t < 3300 ? 60 : 20), downstreamCapacity: () => 500, noise: 0.08 }),
    columns: ['desired', 'sqs_received', 'sqs_deleted', 'sqs_visible'],
  },
  // Hard negatives: each leg of the signature holds for a benign reason.
  {
    name: 'normal-flash-crowd-throttled',
    description: 'Traffic triples for 10 minutes into a rate limit that rejects a quarter of the calls: retries past budget while the group grows, throughput still rises.',
    kind: 'normal',
    params: base(19, { arrivals: (t) => (t >= 2400 && t < 3000 ? 60 : 20), downstreamCapacity: () => 500, errorRate: (t) => (t >= 2400 && t < 3000 ? 0.25 : 0) }),
    columns: ALL,
  },
  {
    name: 'normal-refresh-growing',
    description: 'An instance refresh with 15 % cold-start errors for 10 minutes while traffic doubles.',
    kind: 'normal',
    params: base(20, { arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600, deploy: { from: 2700, to: 3300, surge: 4, coldErrorRate: 0.15 } }),
    columns: ALL,
  },
  {
    name: 'normal-heavier-mix',
    description: 'Jobs get 2.5× heavier over 30 minutes: the group grows, jobs per instance fall, no retries.',
    kind: 'normal',
    params: base(21, { jobWeight: ramp(2400, 1800, 1, 2.5), downstreamCapacity: () => 600 }),
    columns: ALL,
  },
  {
    name: 'normal-scheduled-blip',
    description: 'A scheduled action doubles the group at 40 min as a five-minute downstream blip (60 % errors) begins.',
    kind: 'normal',
    params: base(22, { scheduled: { at: 2400, desired: 16 }, errorRate: (t) => (t >= 2400 && t < 2700 ? 0.6 : 0) }),
    columns: ALL,
  },
  {
    name: 'normal-noisy-gappy',
    description: 'Traffic doubles over 30 minutes, seen with 20 % noise and 20 % of the cells missing.',
    kind: 'normal',
    params: base(23, { noise: 0.2, arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 23, missingShare: 0.2 },
  },
  {
    name: 'normal-growth-60s',
    description: 'Traffic doubles over 30 minutes; SQS metrics at CloudWatch\'s 60 s resolution.',
    kind: 'normal',
    params: base(24, { arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 24, resolution: 60 },
  },
  {
    name: 'normal-growth-300s',
    description: 'Traffic doubles over 30 minutes; SQS metrics at CloudWatch\'s 300 s resolution.',
    kind: 'normal',
    params: base(25, { arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 25, resolution: 300 },
  },
  {
    name: 'normal-late-reset',
    description: 'Growth with one SQS datapoint a sample late and a worker counter reset at 50 min.',
    kind: 'normal',
    params: base(26, { arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 26, latePointAt: 2820, counterResetAt: 3000 },
  },
  {
    name: 'normal-sources-disagree',
    description: 'Growth while another consumer receives without deleting: SQS receives 40 % above deletes, the workers see no retries.',
    kind: 'normal',
    params: base(27, { arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 27, extraReceivesFrom: 2400, extraReceivesShare: 0.4 },
  },
  {
    name: 'normal-deletes-gappy',
    description: 'Traffic doubles over 30 minutes, 20 % noise, 15 % of sqs_deleted cells missing; the workers see no retries.',
    kind: 'normal',
    params: base(28, { noise: 0.2, arrivals: ramp(2400, 1800, 20, 40), downstreamCapacity: () => 600 }),
    columns: ALL,
    observation: { seed: 28, missingShare: 0.15, missingColumns: ['sqs_deleted'] },
  },
];
