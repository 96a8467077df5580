// A fluid queueing model of an SQS worker fleet behind a target-tracking Auto Scaling group,
// simulated in one-second steps and sampled every `interval` seconds into a signal trace.
//
// The parts, and why each is there:
// - Arrivals: `arrivals(t)` messages per second (diurnal curves, flash crowds, growth), with
//   seeded Gaussian noise, so a trace is reproducible from its seed.
// - Workers: `slotsPerInstance` concurrent messages per instance, no fleet cap (the incident).
// - Downstream: every message calls one downstream whose mean service time degrades with the
//   calls it has in flight: S = serviceTime * (1 + (inFlight / downstreamCapacity)^2). Past
//   its capacity, more concurrent callers make every call slower: throughput collapses.
// - Visibility timeout and redelivery: service times are exponential, so a share
//   exp(-visibilityTimeout / S) of received messages outlive their visibility timeout. They
//   reappear after `visibilityTimeout` and are received again (a retry) while the first
//   worker still holds its slot; its delete then fails. After `maxReceiveCount` receives a
//   message goes to the dead-letter queue. Errors (`errorRate`) also return messages.
// - Target tracking: every minute, if the busy share of slots over the last `alarmPeriods`
//   minutes exceeds `targetUtilization`, desired = ceil(inService * util / target) (capped at
//   maxSize), then no scale-out for `scaleOutCooldown`; scale-in after `scaleInPeriods` minutes
//   below 90 % of target. Launched instances go in service after `warmup` seconds.
// - Measurement: counters carry a noise shared by all of them in one sample (the interval's
//   jitter) plus a fifth of it independently.
// - Breakers: workers whose calls mostly fail open their breaker; `breaker_open_fraction` is
//   the share of them, and an open breaker fails fast instead of holding a slot.
// The runaway loop emerges from these rules alone: a slower downstream keeps slots busy, the
// autoscaler adds instances, more instances put more calls in flight, calls get slower still,
// more messages time out and come back, and the fleet spends its capacity on retries.
import type { Sample, SignalColumn } from '../../src/signals/sample.ts';

export interface ModelParams {
  seed: number;
  durationSeconds: number;
  interval: number;
  arrivals: (t: number) => number;
  /** Concurrent calls the downstream serves before it slows; may change over time. */
  downstreamCapacity: (t: number) => number;
  /** Share of calls that fail (fast) at time t. */
  errorRate?: (t: number) => number;
  serviceTime: number;
  /** Multiplies serviceTime at time t (a heavier job mix); 1 when absent. */
  jobWeight?: (t: number) => number;
  visibilityTimeout: number;
  maxReceiveCount: number;
  slotsPerInstance: number;
  initialInstances: number;
  minSize: number;
  maxSize: number;
  targetUtilization: number;
  alarmPeriods: number;
  scaleOutCooldown: number;
  scaleInPeriods: number;
  warmup: number;
  /** Relative noise on arrivals and on every counter, e.g. 0.05. */
  noise: number;
  /** Extra capacity during [from, to) that replaces instances (an instance refresh). */
  deploy?: { from: number; to: number; surge: number; coldErrorRate: number };
  /** A scheduled action: desired capacity set to `desired` at `at`, whatever the metric says. */
  scheduled?: { at: number; desired: number };
  price?: number;
}

/** mulberry32: small, fast, seeded; good enough for noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Mean share of one second a message holds its slot when jobs take `x` seconds on average. */
function occupancy(x: number): number {
  return x >= 1 ? 1 - 1 / (2 * x) : x * (1 - Math.exp(-1 / x));
}

interface Counters {
  sent: number;
  received: number;
  deleted: number;
  dlq: number;
  retries: number;
  failures: number;
  openWeighted: number;
}

const zero = (): Counters => ({ sent: 0, received: 0, deleted: 0, dlq: 0, retries: 0, failures: 0, openWeighted: 0 });

export interface ModelOutput {
  samples: Sample[];
  /** Noise-free retry share per sample (for labelling), aligned with samples. */
  trueRetryShare: number[];
}

export class FleetModel {
  private readonly p: ModelParams;
  private readonly rand: () => number;
  private readonly visible: number[];
  private readonly returning = new Map<number, number[]>();
  private good = 0;
  private bad = 0;
  private inService: number;
  private desired: number;
  private readonly launches = new Map<number, number>();
  private lastScaleOut = -Infinity;
  private readonly utilHistory: number[] = [];
  private belowMinutes = 0;
  private breakerOpen = 0;

  constructor(p: ModelParams) {
    this.p = p;
    this.rand = rng(p.seed);
    this.visible = new Array<number>(p.maxReceiveCount).fill(0);
    this.inService = p.initialInstances;
    this.desired = p.initialInstances;
  }

  run(): ModelOutput {
    const samples: Sample[] = [];
    const trueRetryShare: number[] = [];
    let c = zero();
    let utilSum = 0;
    for (let t = 1; t <= this.p.durationSeconds; t++) {
      utilSum += this.step(t, c);
      if (t % 60 === 0) {
        this.autoscale(t, utilSum / 60);
        utilSum = 0;
      }
      if (t % this.p.interval === 0) {
        trueRetryShare.push(c.received > 0 ? Math.max(0, c.received - c.deleted) / c.received : 0);
        samples.push(this.sample(t, c));
        c = zero();
      }
    }
    return { samples, trueRetryShare };
  }

  private capacityNow(t: number): number {
    const d = this.p.deploy;
    return this.inService + (d && t >= d.from && t < d.to ? d.surge : 0);
  }

  private step(t: number, c: Counters): number {
    const p = this.p;
    const arriving = Math.max(0, p.arrivals(t) * (1 + p.noise * gaussian(this.rand)));
    this.visible[0]! += arriving;
    c.sent += arriving;
    this.release(t, c);
    this.land(t);
    const slots = this.capacityNow(t) * p.slotsPerInstance;
    const inFlight = this.good + this.bad;
    const s = p.serviceTime * (p.jobWeight?.(t) ?? 1) * (1 + (inFlight / Math.max(1, p.downstreamCapacity(t))) ** 2);
    const err = Math.min(1, (p.errorRate?.(t) ?? 0) + this.coldErrors(t));
    this.breakerOpen = err > 0.5 ? Math.min(1, this.breakerOpen + 0.1) : Math.max(0, this.breakerOpen - 0.05);
    // An open breaker fails fast: the message is received, fails in ~0.1 s and comes back.
    const timeoutShare = Math.exp(-p.visibilityTimeout / s);
    this.receive(t, Math.max(0, slots - inFlight), timeoutShare, c);
    const goodTime = 1 / (1 / (err > 0.5 ? 0.1 : s) + 2 / p.visibilityTimeout);
    // Busy share as the autoscaler's metric sees it: the time slots are held during this
    // second. A worker that fails fast (open breaker) holds its slot for a tenth of a second.
    const busy = slots > 0 ? (this.good * occupancy(goodTime) + this.bad) / slots : 1;
    const done = this.good * Math.min(1, 1 / goodTime);
    this.good -= done;
    const failed = done * err;
    c.deleted += done - failed;
    c.failures += failed + this.bad / (p.visibilityTimeout + s);
    this.bad -= this.bad * Math.min(1, 1 / (p.visibilityTimeout + s));
    this.scheduleReturn(t + p.visibilityTimeout, 1, failed);
    c.openWeighted += this.breakerOpen;
    return busy;
  }

  private coldErrors(t: number): number {
    const d = this.p.deploy;
    return d && t >= d.from && t < d.to ? d.coldErrorRate : 0;
  }

  /** Workers fill free slots from the visible messages, oldest receive counts last. */
  private receive(t: number, free: number, timeoutShare: number, c: Counters): void {
    let room = free;
    for (let k = this.visible.length - 1; k >= 0 && room > 0; k--) {
      const take = Math.min(room, this.visible[k]!);
      if (take <= 0) continue;
      this.visible[k]! -= take;
      room -= take;
      c.received += take;
      if (k > 0) c.retries += take;
      this.good += take * (1 - timeoutShare);
      this.bad += take * timeoutShare;
      this.scheduleReturn(t + this.p.visibilityTimeout, k + 1, take * timeoutShare);
    }
  }

  private scheduleReturn(at: number, receiveCount: number, n: number): void {
    if (n <= 0) return;
    const slot = this.returning.get(at) ?? new Array<number>(this.p.maxReceiveCount + 1).fill(0);
    slot[Math.min(receiveCount, this.p.maxReceiveCount)]! += n;
    this.returning.set(at, slot);
  }

  /** Messages whose visibility timeout ran out become visible again, or go to the DLQ. */
  private release(t: number, c: Counters): void {
    const slot = this.returning.get(t);
    if (!slot) return;
    this.returning.delete(t);
    slot.forEach((n, k) => {
      if (k >= this.p.maxReceiveCount) c.dlq += n;
      else this.visible[k]! += n;
    });
  }

  private land(t: number): void {
    const n = this.launches.get(t);
    if (n === undefined) return;
    this.launches.delete(t);
    this.inService += n;
  }

  private autoscale(t: number, util: number): void {
    const p = this.p;
    if (this.scheduledNow(t)) return this.setDesired(t, p.scheduled!.desired);
    this.utilHistory.push(util);
    const recent = this.utilHistory.slice(-p.alarmPeriods);
    const high = recent.length === p.alarmPeriods && recent.every((u) => u > p.targetUtilization);
    this.belowMinutes = util < 0.9 * p.targetUtilization ? this.belowMinutes + 1 : 0;
    if (high && t - this.lastScaleOut >= p.scaleOutCooldown && this.desired < p.maxSize) {
      const want = Math.min(p.maxSize, Math.ceil((this.inService * util) / p.targetUtilization));
      if (want > this.desired) {
        this.launches.set(t + p.warmup, (this.launches.get(t + p.warmup) ?? 0) + want - this.desired);
        this.desired = want;
        this.lastScaleOut = t;
      }
    } else if (this.belowMinutes >= p.scaleInPeriods && this.desired === this.inService) {
      const want = Math.max(p.minSize, Math.ceil((this.inService * util) / p.targetUtilization), this.desired - 2);
      this.desired = Math.min(this.desired, want);
      this.inService = this.desired;
      this.belowMinutes = 0;
    }
  }

  private scheduledNow(t: number): boolean {
    const at = this.p.scheduled?.at;
    return at !== undefined && at > t - 60 && at <= t;
  }

  private setDesired(t: number, desired: number): void {
    if (desired <= this.desired) return;
    this.launches.set(t + this.p.warmup, (this.launches.get(t + this.p.warmup) ?? 0) + desired - this.desired);
    this.desired = desired;
  }

  private sample(t: number, c: Counters): Sample {
    // Counters share most of their noise: a sampling interval that is a little long or short
    // (CloudWatch periods, scrape jitter) moves every count the same way.
    const common = 1 + this.p.noise * gaussian(this.rand);
    const n = (x: number): number => Math.max(0, Math.round(x * common * (1 + (this.p.noise / 5) * gaussian(this.rand))));
    const visible = this.visible.reduce((a, b) => a + b, 0);
    const cap = this.capacityNow(t);
    const out: Partial<Record<SignalColumn, number>> = {
      desired: this.desired + (cap - this.inService),
      in_service: cap,
      sqs_sent: n(c.sent),
      sqs_received: n(c.received),
      sqs_deleted: n(c.deleted),
      sqs_visible: Math.round(visible),
      sqs_not_visible: Math.round(this.good + this.bad),
      dlq_in: n(c.dlq),
      worker_attempts: n(c.received),
      worker_retries: n(c.retries),
      worker_successes: n(c.deleted),
      worker_failures: n(c.failures),
      breaker_open_fraction: Math.round((c.openWeighted / this.p.interval) * 100) / 100,
      ...(this.p.price !== undefined ? { price_per_hour: Math.round(cap * this.p.price * 100) / 100 } : {}),
    };
    return { t, ...out };
  }
}
