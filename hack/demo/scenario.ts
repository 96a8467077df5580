// One run of the incident in compressed time: one tick of `tickMs` real milliseconds is one
// simulated minute. Real: the API server, moto (SQS messages, the Auto Scaling group), the
// worker library, the operator. Simulated (named so in the output): the traffic, the slow
// downstream, target tracking, and the kubelet's part (Pods, replicas, the ConfigMap mount).
import { join } from 'node:path';
import type { RestClient } from '../../src/runtime/kube/rest.ts';
import { createQueue, createGroup, queueDepth, readGroup, sendBatch, setDesired, setMinimum, type DemoAws } from './aws.ts';
import { SimulatedDownstream } from './downstream.ts';
import { TRACKING, trackTarget } from './driver.ts';
import { Fleet, type FleetTotals } from './fleet.ts';
import { applyGuard, readGuard, type GuardView } from './guard.ts';
import { createNamespace, createWorkerDeployment, SimulatedPods, SimulatedVolume, WORKLOAD } from './kube.ts';
import { pricePerInstanceHour } from './money.ts';
import type { Variation } from './variation.ts';

export interface Timing {
  /** Simulated minutes in the run. */
  ticks: number;
  /** The minute the downstream turns slow... */
  onset: number;
  /** ...for this many minutes. */
  slowMinutes: number;
  /** Real milliseconds per simulated minute. */
  tickMs: number;
}

export const FULL: Timing = { ticks: 60, onset: 8, slowMinutes: 6, tickMs: 1000 };
export const SHORT: Timing = { ticks: 36, onset: 6, slowMinutes: 6, tickMs: 1000 };

/** The workload, the same in both runs. */
export const WORKLOAD_MODEL = {
  baseline: 4,
  maxSize: 16,
  /** New messages per simulated minute (sent during its real second). */
  messagesPerTick: 6,
  perInstanceLimit: 2,
  timeoutMs: 1500,
  visibilityTimeoutSeconds: 3,
  parkSeconds: 120,
  slowFactor: 4,
  downstream: { capacity: 8, baseMs: 500, maxMs: 20_000 },
  guardCeiling: 12,
} as const;

export interface Tick {
  /** Simulated minute. */
  t: number;
  desired: number;
  maxSize: number;
  busy: number;
  attempts: number;
  retries: number;
  successes: number;
  /** retries / attempts in the minute, 0..1. */
  retryRatio: number;
  /** The queue in the minute, as SQS counts it: new messages, receives and deletes (the fleet's calls), and its depth at the end. */
  sent: number;
  received: number;
  deleted: number;
  visible: number;
  inFlight: number;
  costPerHour: number;
  downstreamMs: number;
  runaway?: string;
  braking?: boolean;
}

export interface RunResult {
  label: 'unguarded' | 'guarded';
  timing: Timing;
  ticks: Tick[];
  totals: FleetTotals;
  /** Estimated USD over the run and what the baseline fleet costs over the same time. */
  cost: number;
  normalCost: number;
  peakInstances: number;
  detectedAt?: number;
  brakeAt?: number;
  /** The minute the first release step was seen (state Recovering). */
  releaseStartAt?: number;
  /** The minute the brake was seen released. */
  releasedAt?: number;
  /** The guard's status when the brake engaged (else at the end). */
  guard?: GuardView;
  /** Wall clock (ms) of minute 0. */
  startedAt: number;
}

export interface RunContext {
  rest: RestClient;
  aws: DemoAws;
  dir: string;
  metricsPort: number;
  /** Slack webhook URL of the sink (guarded run). */
  webhookUrl: string;
  say(line: string): void;
  /** Called once per tick (the narrator prints the operator's events). */
  onTick?(label: string, startedAt: number): Promise<void>;
  signal: AbortSignal;
}

interface Setup {
  ns: string;
  queueUrl: string;
  group: string;
  pods: SimulatedPods;
  volume?: SimulatedVolume;
  configPath?: string;
}

async function setUp(ctx: RunContext, guarded: boolean): Promise<Setup> {
  const label = guarded ? 'guarded' : 'unguarded';
  const ns = `demo-${label}`;
  const m = WORKLOAD_MODEL;
  await createNamespace(ctx.rest, ns);
  await createWorkerDeployment(ctx.rest, ns, m.baseline, ctx.metricsPort);
  const queueUrl = await createQueue(ctx.aws, `orders-${label}`);
  const group = `orders-worker-${label}`;
  await createGroup(ctx.aws, group, { min: m.baseline, max: m.maxSize, desired: m.baseline });
  const pods = new SimulatedPods(ctx.rest, ns);
  await pods.reportReplicas(m.baseline);
  if (!guarded) return { ns, queueUrl, group, pods };
  const configPath = join(ctx.dir, label, 'costguard', 'worker.json');
  const volume = new SimulatedVolume(ctx.rest, { ns, name: `costguard-${WORKLOAD}`, key: 'worker.json' }, configPath);
  await applyGuard(ctx.rest, { ns, group, queueUrl, webhookUrl: ctx.webhookUrl, metricsPort: ctx.metricsPort, ceiling: m.guardCeiling });
  await until(ctx.signal, 'the guard\'s worker settings', () => volume.sync());
  return { ns, queueUrl, group, pods, volume, configPath };
}

async function until(signal: AbortSignal, what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (signal.aborted) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleepUntil(Date.now() + 200, signal);
  }
}

/** Waits until `at` (ms epoch) unless aborted: the run's pacing against the wall clock. */
function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, at - Date.now()));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `variation`: what a recorded scenario changes (none in the demo itself). */
export async function runIncident(ctx: RunContext, guarded: boolean, timing: Timing, variation: Variation = {}): Promise<RunResult> {
  const s = await setUp(ctx, guarded);
  const downstream = new SimulatedDownstream({ ...WORKLOAD_MODEL.downstream, ...variation.downstream });
  await downstream.start();
  const run = new IncidentRun(ctx, s, downstream, { guarded, timing, variation });
  try {
    await run.play();
  } finally {
    await run.fleet.stop();
    await downstream.stop();
  }
  return run.result();
}

/** The minute-by-minute loop of one run and what it records. */
class IncidentRun {
  readonly fleet: Fleet;
  readonly #ctx: RunContext;
  readonly #s: Setup;
  readonly #downstream: SimulatedDownstream;
  readonly #label: 'guarded' | 'unguarded';
  readonly #timing: Timing;
  readonly #variation: Variation;
  readonly #price = pricePerInstanceHour();
  readonly #ticks: Tick[] = [];
  #sent = 0;
  /** Messages sent before the current minute. */
  #sentBefore = 0;
  #streak = 0;
  #previous: FleetTotals;
  #guard: GuardView | undefined;
  /** The guard as first seen braking: its evidence is the detection's. */
  #atBrake: GuardView | undefined;
  #detectedAt: number | undefined;
  #brakeAt: number | undefined;
  #releaseStartAt: number | undefined;
  #releasedAt: number | undefined;
  #start = Date.now();

  constructor(ctx: RunContext, s: Setup, downstream: SimulatedDownstream, o: { guarded: boolean; timing: Timing; variation: Variation }) {
    const m = WORKLOAD_MODEL;
    this.#ctx = ctx;
    this.#s = s;
    this.#downstream = downstream;
    this.#label = o.guarded ? 'guarded' : 'unguarded';
    this.#timing = o.timing;
    this.#variation = o.variation;
    this.fleet = new Fleet({
      sqs: ctx.aws.sqs,
      queueUrl: s.queueUrl,
      downstreamUrl: downstream.url,
      timeoutMs: m.timeoutMs,
      visibilityTimeoutSeconds: m.visibilityTimeoutSeconds,
      parkSeconds: m.parkSeconds,
      metricsPort: ctx.metricsPort,
      ...(s.configPath ? { configPath: s.configPath } : {}),
      // The postmortem's worker: 2 jobs per instance, every failure retried.
      defaults: { perReplicaLimit: m.perInstanceLimit, retryBudgetPercent: 100 },
      cpuJobs: m.perInstanceLimit,
      pods: s.pods,
    });
    this.#previous = this.fleet.totals();
  }

  async play(): Promise<void> {
    await this.fleet.scaleTo(WORKLOAD_MODEL.baseline);
    this.#start = Date.now();
    for (let t = 0; t < this.#timing.ticks && !this.#ctx.signal.aborted; t++) {
      if (t === this.#timing.onset) this.#downstream.slowdown(WORKLOAD_MODEL.slowFactor);
      if (t === this.#timing.onset + this.#timing.slowMinutes) this.#downstream.slowdown(1);
      await this.#vary(t);
      const busy = await this.#minute(t);
      const tick = await this.#endOfMinute(t, busy);
      if (t % 5 === 0 || t === this.#timing.onset) this.#ctx.say(progressLine(this.#label, tick, this.#timing));
      await this.#ctx.onTick?.(this.#label, this.#start);
      await sleepUntil(this.#start + (t + 1) * this.#timing.tickMs, this.#ctx.signal);
    }
  }

  /** What the scenario's variation changes at the start of minute t. */
  async #vary(t: number): Promise<void> {
    const v = this.#variation;
    if (v.jobWeightAt) this.#downstream.weigh(v.jobWeightAt(t));
    if (v.errorsAt) this.#downstream.fail(v.errorsAt(t));
    if (v.scheduled?.at === t) await this.#scheduledMinimum(v.scheduled.min);
    if (v.scheduled?.until === t) await this.#scheduledMinimum(WORKLOAD_MODEL.baseline);
    if (v.refresh?.at === t) await this.fleet.refresh(v.refresh.count, { ms: v.refresh.coldMinutes * this.#timing.tickMs, failShare: v.refresh.failShare });
  }

  /** A scheduled action sets the group's minimum; the group launches up to it at once (it never lowers desired itself). */
  async #scheduledMinimum(min: number): Promise<void> {
    const group = await readGroup(this.#ctx.aws, this.#s.group);
    const desired = Math.max(group.desired, min);
    await setMinimum(this.#ctx.aws, this.#s.group, min, desired);
    await this.#follow(desired);
  }

  /** The simulated fleet and the Deployment's running replicas follow the group's desired capacity. */
  async #follow(desired: number): Promise<void> {
    await this.fleet.scaleTo(desired);
    await this.#s.pods.reportReplicas(desired);
  }

  /** SIMULATED traffic: the minute's orders in five batches over the tick; returns the mean CPU seen. */
  async #minute(t: number): Promise<number> {
    const messagesPerTick = this.#variation.messagesAt?.(t) ?? WORKLOAD_MODEL.messagesPerTick;
    const busy: number[] = [];
    for (let part = 0; part < 5 && !this.#ctx.signal.aborted; part++) {
      const n = Math.round((messagesPerTick * (part + 1)) / 5) - Math.round((messagesPerTick * part) / 5);
      await sendBatch(this.#ctx.aws, this.#s.queueUrl, this.#sent, n);
      this.#sent += n;
      await this.#s.volume?.sync();
      busy.push(this.fleet.busy());
      await sleepUntil(this.#start + t * this.#timing.tickMs + ((part + 1) * this.#timing.tickMs) / 5 - 50, this.#ctx.signal);
      busy.push(this.fleet.busy());
    }
    return busy.reduce((a, b) => a + b, 0) / Math.max(1, busy.length);
  }

  /** SIMULATED target tracking, the fleet following it, and the minute's record. */
  async #endOfMinute(t: number, busy: number): Promise<Tick> {
    const { aws, rest } = this.#ctx;
    const group = await readGroup(aws, this.#s.group);
    const decision = trackTarget(TRACKING, group, busy, this.#streak);
    this.#streak = decision.streak;
    if (decision.desired !== group.desired) await setDesired(aws, this.#s.group, decision.desired);
    await this.#follow(decision.desired);
    const now = this.fleet.totals();
    const d = { attempts: now.attempts - this.#previous.attempts, retries: now.retries - this.#previous.retries, successes: now.successes - this.#previous.successes };
    const queue = { sent: this.#sent - this.#sentBefore, received: now.received - this.#previous.received, deleted: now.deleted - this.#previous.deleted, ...(await queueDepth(aws, this.#s.queueUrl)) };
    this.#previous = now;
    this.#sentBefore = this.#sent;
    if (this.#s.volume) this.#observeGuard(t, await readGuard(rest, this.#s.ns));
    const tick: Tick = {
      t,
      desired: decision.desired,
      maxSize: group.max,
      busy: round(busy),
      ...d,
      retryRatio: d.attempts ? round(d.retries / d.attempts) : 0,
      ...queue,
      costPerHour: round(decision.desired * this.#price),
      downstreamMs: Math.round(this.#downstream.currentLatencyMs()),
      ...(this.#guard?.runawayState ? { runaway: this.#guard.runawayState } : {}),
      ...(this.#guard ? { braking: this.#guard.braking } : {}),
    };
    this.#ticks.push(tick);
    return tick;
  }

  #observeGuard(t: number, guard: GuardView): void {
    this.#guard = guard;
    const suspected = guard.runawayState !== undefined && guard.runawayState !== 'Normal';
    if (suspected && this.#detectedAt === undefined) this.#detectedAt = t;
    if (guard.braking && this.#brakeAt === undefined) {
      this.#brakeAt = t;
      this.#atBrake = guard;
    }
    if (guard.runawayState === 'Recovering' && this.#releaseStartAt === undefined) this.#releaseStartAt = t;
    if (this.#brakeAt !== undefined && !guard.braking && this.#releasedAt === undefined) this.#releasedAt = t;
  }

  result(): RunResult {
    const ticks = this.#ticks;
    const cost = ticks.reduce((a, k) => a + k.costPerHour / 60, 0);
    return {
      label: this.#label,
      timing: this.#timing,
      ticks,
      totals: this.fleet.totals(),
      cost: round(cost),
      normalCost: round((WORKLOAD_MODEL.baseline * this.#price * ticks.length) / 60),
      peakInstances: Math.max(...ticks.map((k) => k.desired)),
      ...(this.#detectedAt !== undefined ? { detectedAt: this.#detectedAt } : {}),
      ...(this.#brakeAt !== undefined ? { brakeAt: this.#brakeAt } : {}),
      ...(this.#releaseStartAt !== undefined ? { releaseStartAt: this.#releaseStartAt } : {}),
      ...(this.#releasedAt !== undefined ? { releasedAt: this.#releasedAt } : {}),
      ...(this.#atBrake ?? this.#guard ? { guard: this.#atBrake ?? this.#guard } : {}),
      startedAt: this.#start,
    };
  }
}

function progressLine(label: string, k: Tick, timing: Timing): string {
  const phase = k.t < timing.onset ? 'normal' : k.t < timing.onset + timing.slowMinutes ? 'downstream slow' : 'after the slowdown';
  const guard = k.runaway ? `  guard: ${k.runaway}${k.braking ? (k.runaway === 'Recovering' ? ' (brake releasing in steps)' : ' (brake engaged)') : ''}` : '';
  return (
    `  [${label.padEnd(9)}] minute ${String(k.t).padStart(2)}  instances ${String(k.desired).padStart(2)}/${String(k.maxSize).padEnd(2)}  ` +
    `busy ${pct(k.busy)}  retries ${pct(k.retryRatio)}  ok ${String(k.successes).padStart(3)}/min  $${k.costPerHour.toFixed(2)}/h  (${phase})${guard}`
  );
}

function pct(x: number): string {
  return `${String(Math.round(x * 100)).padStart(3)} %`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
