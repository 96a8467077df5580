// The labelled scenarios of the discrete-event family (test/traces/des/). Each says what
// happens to the fleet and, for loops, when the downstream degraded: the label's onset is the
// first capacity the autoscaler added after that moment (label.ts), never a detector's view.
import type { Observation } from '../observe.ts';
import type { FleetParams } from './fleet.ts';

export interface DesScenario {
  name: string;
  description: string;
  kind: 'runaway' | 'normal';
  /** When the cause of a loop began (the generator knows); absent on normal traces. */
  degradedAt?: number;
  params: FleetParams;
  /** How the observer's view differs from the truth (gaps, resolution, disagreement). */
  observation?: Observation;
}

const HOUR = 3600;
const step = (at: number, before: number, after: number) => (t: number) => (t < at ? before : after);
const ramp = (at: number, over: number, from: number, to: number) => (t: number) => (t < at ? from : t > at + over ? to : from + ((to - from) * (t - at)) / over);
const window = (from: number, to: number, inside: number, outside: number) => (t: number) => (t >= from && t < to ? inside : outside);

/** A worker fleet of 8 workers per instance, 20 jobs/s of 0.3 s work plus a 0.5 s call. */
function base(seed: number, over: Partial<FleetParams> = {}): FleetParams {
  return {
    seed,
    durationSeconds: 2 * HOUR,
    interval: 30,
    arrivalsPerSecond: () => 20,
    jobWork: () => 0.3,
    slots: 8,
    initialInstances: 4,
    visibilityTimeout: 30,
    maxReceiveCount: 5,
    downstream: { poolSize: 60, acquireTimeout: 10, callTimeout: 60, serviceTime: () => 0.5, contentionKnee: () => 40, rateLimit: () => Infinity },
    scaling: { target: 0.6, outPeriods: 3, inPeriods: 15, scaleOutCooldown: 120, launchDelay: 60, warmup: 120, minSize: 2, maxSize: 60 },
    pricePerHour: 0.192,
    ...over,
  };
}

const ds = (over: Partial<FleetParams['downstream']>) => ({ ...base(0).downstream, ...over });
/** A downstream provisioned for growth: a large pool, contention only far beyond today's load. */
const roomy = (over: Partial<FleetParams['downstream']> = {}) => ds({ poolSize: 300, contentionKnee: () => 300, ...over });
const sc = (over: Partial<FleetParams['scaling']>) => ({ ...base(0).scaling, ...over });

const LOOPS: DesScenario[] = [
  {
    name: 'des-runaway-step',
    description: 'The downstream\'s calls slow from 0.5 s to 3 s at 40 min; its pool of 60 connections fills, waiters time out, messages return.',
    kind: 'runaway',
    degradedAt: 2400,
    params: base(101, { downstream: ds({ serviceTime: step(2400, 0.5, 8) }) }),
  },
  {
    name: 'des-runaway-contention',
    description: 'At 30 min the downstream loses an index: latency now doubles at 16 calls in progress instead of 40, so every added worker slows every call.',
    kind: 'runaway',
    degradedAt: 1800,
    params: base(102, { downstream: ds({ contentionKnee: step(1800, 40, 16), poolSize: 200 }) }),
  },
  {
    name: 'des-runaway-creep',
    description: 'The downstream slows from 0.5 s to 3 s over an hour behind a 300 s scale-out cooldown: a slow creep.',
    kind: 'runaway',
    degradedAt: 1200,
    params: base(103, { durationSeconds: 3 * HOUR, downstream: ds({ serviceTime: ramp(1200, HOUR, 0.5, 3) }), scaling: sc({ scaleOutCooldown: 300 }) }),
  },
  {
    name: 'des-runaway-fast-policy',
    description: 'A step slowdown to 2.5 s under an aggressive policy (1 datapoint, 60 s cooldown, 60 s warm-up).',
    kind: 'runaway',
    degradedAt: 3000,
    params: base(104, { downstream: ds({ serviceTime: step(3000, 0.5, 2.5) }), scaling: sc({ outPeriods: 1, scaleOutCooldown: 60, warmup: 60 }) }),
  },
  {
    name: 'des-runaway-throttled',
    description: 'The downstream\'s rate limit drops from unlimited to 12 requests/s at 40 min; 429s return messages, slots stay busy with retries.',
    kind: 'runaway',
    degradedAt: 2400,
    params: base(105, { downstream: ds({ rateLimit: step(2400, Infinity, 12), serviceTime: step(2400, 0.5, 1.5) }) }),
  },
  {
    name: 'des-runaway-gappy',
    description: 'The step slowdown seen with 10 % of the cells missing.',
    kind: 'runaway',
    degradedAt: 2400,
    params: base(106, { downstream: ds({ serviceTime: step(2400, 0.5, 8) }) }),
    observation: { seed: 106, missingShare: 0.1 },
  },
];

const NEGATIVES: DesScenario[] = [
  {
    name: 'des-normal-flash-crowd-429',
    description: 'Traffic jumps 3× for 10 minutes into a 50 requests/s rate limit: 429s and retries while the group grows, then the backlog drains.',
    kind: 'normal',
    params: base(201, { arrivalsPerSecond: window(2400, 3000, 60, 20), downstream: roomy({ rateLimit: () => 50 }) }),
  },
  {
    name: 'des-normal-refresh-growing',
    description: 'An instance refresh (2 new instances every 3 minutes, 15 % cold-start errors for 4 minutes each) while traffic grows 20 → 45 jobs/s.',
    kind: 'normal',
    params: base(202, {
      arrivalsPerSecond: ramp(2400, 1800, 20, 45),
      downstream: roomy(),
      refresh: { from: 2400, every: 180, batch: 2, coldPeriod: 240, coldErrorRate: 0.15 },
    }),
  },
  {
    name: 'des-normal-heavier-mix',
    description: 'The job mix gets heavier (0.3 s → 1.5 s of own work per job) over 30 minutes: more instances, fewer jobs per instance, no retries.',
    kind: 'normal',
    params: base(203, { jobWork: ramp(2400, 1800, 0.3, 1.5) }),
  },
  {
    name: 'des-normal-scheduled-blip',
    description: 'A scheduled action raises the group to 14 at 40 min; a five-minute downstream blip (60 % of calls fail) starts the same minute.',
    kind: 'normal',
    params: base(204, { scaling: sc({ scheduled: [{ at: 2400, desired: 14 }] }), downstream: ds({ errorRate: window(2400, 2700, 0.6, 0) }) }),
  },
  {
    name: 'des-normal-noisy-gappy',
    description: 'Traffic doubles over 30 minutes, seen with 20 % measurement noise and 20 % of the cells missing.',
    kind: 'normal',
    params: base(205, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 205, noise: 0.2, missingShare: 0.2 },
  },
  {
    name: 'des-normal-growth-60s',
    description: 'Traffic doubles over 30 minutes, SQS metrics at CloudWatch\'s 60 s resolution.',
    kind: 'normal',
    params: base(206, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 206, resolution: 60 },
  },
  {
    name: 'des-normal-growth-300s',
    description: 'Traffic doubles over 30 minutes, SQS metrics at CloudWatch\'s 300 s resolution.',
    kind: 'normal',
    params: base(207, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 207, resolution: 300 },
  },
  {
    name: 'des-normal-late-reset',
    description: 'Growth with one SQS datapoint arriving a sample late and a worker counter reset (a pod restart) at 50 min.',
    kind: 'normal',
    params: base(208, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 208, latePointAt: 2820, counterResetAt: 3000 },
  },
  {
    name: 'des-normal-sources-disagree',
    description: 'Growth while another consumer peeks at the queue: SQS receives run 40 % above deletes from 40 min, the workers report no retries.',
    kind: 'normal',
    params: base(209, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 209, extraReceivesFrom: 2400, extraReceivesShare: 0.4 },
  },
  {
    name: 'des-normal-deletes-gappy',
    description: 'Traffic doubles over 30 minutes; sqs_deleted has 15 % missing cells and 20 % noise; the workers see no retries.',
    kind: 'normal',
    params: base(210, { arrivalsPerSecond: ramp(2400, 1800, 20, 40), downstream: roomy() }),
    observation: { seed: 210, noise: 0.2, missingShare: 0.15, missingColumns: ['sqs_deleted'] },
  },
];

export const DES_SCENARIOS: readonly DesScenario[] = [...LOOPS, ...NEGATIVES];
