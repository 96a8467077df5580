// The fleet of the discrete-event family: SQS workers on an Auto Scaling group, message by
// message. Each instance runs `slots` workers; a worker receives one message, works on it
// (`jobWork` seconds of its own), calls the downstream once, and deletes the message on
// success. A failed job leaves the message to come back after its visibility timeout. No
// fleet-wide concurrency cap: the incident's fleet. The autoscaler's metric is slot
// utilisation, which rises when calls get slow, whatever the reason.
//
// Independently written from the queueing model (hack/traces/model.ts): no shared code, no
// fluid approximations; the loop, when it happens, comes from individual messages timing out
// and returning.
import { Calendar, exponential, logNormal, seeded } from './clock.ts';
import { Downstream, type CallOutcome, type DownstreamParams } from './downstream.ts';
import { type ScalingParams, TargetTracking } from './scaling.ts';
import { type Message, SqsQueue } from './sqs.ts';
import type { Sample } from '../../../src/signals/sample.ts';

export interface FleetParams {
  seed: number;
  durationSeconds: number;
  interval: number;
  arrivalsPerSecond: (t: number) => number;
  /** Mean seconds of a job's own work before its downstream call (a heavier mix raises it). */
  jobWork: (t: number) => number;
  slots: number;
  initialInstances: number;
  visibilityTimeout: number;
  maxReceiveCount: number;
  downstream: DownstreamParams;
  scaling: ScalingParams;
  /** An instance refresh from `from`: new instances fail `coldErrorRate` of jobs for `coldPeriod` s after launch. */
  refresh?: { from: number; every: number; batch: number; coldPeriod: number; coldErrorRate: number };
  pricePerHour: number;
}

interface Instance {
  readonly id: number;
  readonly inServiceAt: number;
  busy: number;
  busyIntegral: number;
  lastChange: number;
  terminated: boolean;
  readonly coldUntil: number;
  attempts: number;
  failures: number;
}

interface WorkerCounters {
  attempts: number;
  retries: number;
  successes: number;
  failures: number;
}

const zeroWorkers = (): WorkerCounters => ({ attempts: 0, retries: 0, successes: 0, failures: 0 });

/** Below this many attempts in an interval a worker's breaker has too little volume to open. */
const BREAKER_VOLUME = 5;

export interface FleetRun {
  samples: Sample[];
  /** Times (s) at which the desired capacity was raised, by whom. */
  scaleOuts: { t: number; kind: 'out' | 'scheduled' | 'refresh' }[];
}

export class Fleet {
  private readonly cal = new Calendar();
  private readonly rand: () => number;
  private readonly queue: SqsQueue;
  private readonly downstream: Downstream;
  private readonly scaling: TargetTracking;
  private readonly instances: Instance[] = [];
  private pending = 0;
  private desired: number;
  private nextId = 0;
  private workers = zeroWorkers();
  private readonly out: FleetRun = { samples: [], scaleOuts: [] };

  private readonly p: FleetParams;

  constructor(p: FleetParams) {
    this.p = p;
    this.rand = seeded(p.seed);
    this.queue = new SqsQueue(this.cal, p.visibilityTimeout, p.maxReceiveCount, seeded(p.seed ^ 0x27d4eb2f));
    this.downstream = new Downstream(this.cal, p.downstream, seeded(p.seed ^ 0x5bd1e995));
    this.scaling = new TargetTracking(p.scaling);
    this.desired = p.initialInstances;
    for (let i = 0; i < p.initialInstances; i++) this.addInstance(-p.scaling.warmup, false);
  }

  run(): FleetRun {
    this.scheduleArrival();
    for (let t = 60; t <= this.p.durationSeconds; t += 60) this.cal.at(t, () => this.autoscale());
    for (let t = this.p.interval; t <= this.p.durationSeconds; t += this.p.interval) this.cal.at(t, () => this.sample());
    const r = this.p.refresh;
    if (r) for (let t = r.from; t < this.p.durationSeconds; t += r.every) this.cal.at(t, () => this.refreshBatch());
    this.cal.runUntil(this.p.durationSeconds);
    return this.out;
  }

  /** Poisson arrivals at the rate of the moment (rates change slowly against the gaps). */
  private scheduleArrival(): void {
    const rate = Math.max(this.p.arrivalsPerSecond(this.cal.now), 0.01);
    this.cal.after(exponential(this.rand, 1 / rate), () => {
      this.queue.send();
      this.dispatch();
      this.scheduleArrival();
    });
  }

  private live(): Instance[] {
    return this.instances.filter((i) => !i.terminated);
  }

  /** Idle workers receive visible messages until either runs out. */
  private dispatch(): void {
    for (const inst of this.live()) {
      while (inst.busy < this.p.slots && this.queue.visibleCount > 0) {
        const got = this.queue.receive();
        if (!got) return;
        this.startJob(inst, got.message, got.receipt);
      }
    }
  }

  private setBusy(inst: Instance, delta: number): void {
    const now = this.cal.now;
    inst.busyIntegral += inst.busy * (now - inst.lastChange);
    inst.lastChange = now;
    inst.busy += delta;
  }

  private startJob(inst: Instance, message: Message, receipt: number): void {
    this.setBusy(inst, 1);
    this.workers.attempts++;
    inst.attempts++;
    if (message.receiveCount > 1) this.workers.retries++;
    const work = logNormal(this.rand, this.p.jobWork(this.cal.now), 0.3);
    const coldFail = this.cal.now < inst.coldUntil && this.rand() < (this.p.refresh?.coldErrorRate ?? 0);
    this.cal.after(work, () => {
      if (coldFail) return this.finish(inst, 'timeout', message, receipt);
      this.downstream.call((outcome) => this.finish(inst, outcome, message, receipt));
    });
  }

  private finish(inst: Instance, outcome: CallOutcome, message: Message, receipt: number): void {
    // A delete with a stale receipt (the message came back and was received again) fails: the
    // work was done twice and counts as a failure here.
    const ok = outcome === 'ok' && this.queue.delete(message, receipt);
    if (ok) this.workers.successes++;
    else {
      this.workers.failures++;
      inst.failures++;
    }
    this.setBusy(inst, -1);
    this.dispatch();
  }

  private addInstance(inServiceAt: number, cold: boolean): void {
    const coldPeriod = cold && this.p.refresh ? this.p.refresh.coldPeriod : 0;
    this.instances.push({ id: this.nextId++, inServiceAt, busy: 0, busyIntegral: 0, lastChange: Math.max(0, inServiceAt), terminated: false, coldUntil: inServiceAt + coldPeriod, attempts: 0, failures: 0 });
  }

  private launch(n: number): void {
    this.pending += n;
    this.cal.after(this.p.scaling.launchDelay, () => {
      this.pending -= n;
      const cold = this.p.refresh !== undefined && this.cal.now >= this.p.refresh.from;
      for (let i = 0; i < n; i++) this.addInstance(this.cal.now, cold);
      this.dispatch();
    });
  }

  /** Retires `count` live instances, oldest or newest first (their running jobs still finish). */
  private retire(count: number, oldestFirst: boolean): void {
    const live = this.live();
    const order = oldestFirst ? live : [...live].reverse();
    order.slice(0, Math.max(0, count)).forEach((i) => (i.terminated = true));
  }

  /** One 1-minute datapoint: slot utilisation of the instances past warm-up, then the policy. */
  private autoscale(): void {
    const now = this.cal.now;
    const counted = this.live().filter((i) => now - i.inServiceAt >= this.p.scaling.warmup);
    let busy = 0;
    for (const i of this.live()) {
      this.setBusy(i, 0);
      if (counted.includes(i)) busy += i.busyIntegral;
      i.busyIntegral = 0;
    }
    const metric = counted.length ? busy / (counted.length * this.p.slots * 60) : undefined;
    this.apply(this.scaling.evaluate(now, metric, this.desired));
  }

  private apply(d: ReturnType<TargetTracking['evaluate']>): void {
    if (d.kind === 'none' || d.desired === this.desired) return;
    if (d.desired > this.desired) {
      this.launch(d.desired - this.desired);
      this.out.scaleOuts.push({ t: this.cal.now, kind: d.kind === 'scheduled' ? 'scheduled' : 'out' });
    } else this.retire(this.desired - d.desired, false);
    this.desired = d.desired;
  }

  /** An instance refresh step: launch a batch of new instances, retire as many old ones once they are in service. */
  private refreshBatch(): void {
    const r = this.p.refresh!;
    this.desired += r.batch;
    this.launch(r.batch);
    this.out.scaleOuts.push({ t: this.cal.now, kind: 'refresh' });
    this.cal.after(this.p.scaling.launchDelay + 1, () => {
      this.retire(r.batch, true);
      this.desired -= r.batch;
    });
  }

  private sample(): void {
    const live = this.live();
    const inService = live.length;
    const q = this.queue.counters;
    const w = this.workers;
    const failing = live.filter((i) => i.attempts >= BREAKER_VOLUME && i.failures / i.attempts > 0.5).length;
    this.out.samples.push({
      t: this.cal.now,
      desired: this.desired,
      in_service: inService,
      sqs_sent: q.sent,
      sqs_received: q.received,
      sqs_deleted: q.deleted,
      sqs_visible: this.queue.visibleCount,
      sqs_not_visible: this.queue.inFlight,
      dlq_in: q.dlqIn,
      worker_attempts: w.attempts,
      worker_retries: w.retries,
      worker_successes: w.successes,
      worker_failures: w.failures,
      breaker_open_fraction: inService ? Math.round((100 * failing) / inService) / 100 : 0,
      price_per_hour: Math.round(inService * this.p.pricePerHour * 100) / 100,
    });
    this.queue.counters = { sent: 0, received: 0, deleted: 0, dlqIn: 0 };
    this.workers = zeroWorkers();
    for (const i of live) [i.attempts, i.failures] = [0, 0];
  }
}
