// The worker fleet: one in-process worker-library instance per EC2 instance the Auto Scaling
// group wants (no EC2 VM or kubelet exists here; an "instance" is a `createWorker` with its own
// limiter, retry budget and /metrics server on its own loopback address 127.0.0.<10+i>, and an
// SQS consumer). The driver starts and stops them to match the group's desired capacity.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createWorker, type Worker, type WorkerDefaults } from '../../src/worker/index.ts';
import { DemoConsumer, type ConsumerCounts, type ConsumerOptions } from './consumer.ts';
import type { SimulatedPods } from './kube.ts';

export interface FleetOptions {
  sqs: SQSClient;
  queueUrl: string;
  downstreamUrl: string;
  timeoutMs: number;
  visibilityTimeoutSeconds: number;
  parkSeconds: number;
  metricsPort: number;
  /** The published worker.json (guarded run); none = the worker's defaults only. */
  configPath?: string;
  defaults: WorkerDefaults;
  /** Jobs one instance's CPU works at once (the "CPU" model). */
  cpuJobs: number;
  pods: SimulatedPods;
}

interface Instance {
  name: string;
  worker: Worker;
  consumer: DemoConsumer;
}

export interface FleetTotals {
  attempts: number;
  retries: number;
  successes: number;
  failures: number;
  received: number;
  deleted: number;
  parked: number;
}

const ZERO: FleetTotals = { attempts: 0, retries: 0, successes: 0, failures: 0, received: 0, deleted: 0, parked: 0 };

export class Fleet {
  readonly #o: FleetOptions;
  readonly #running: Instance[] = [];
  #retired: FleetTotals = { ...ZERO };
  #started = 0;

  constructor(options: FleetOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#running.length;
  }

  /** Starts or stops instances until `n` run (newest stop first). */
  async scaleTo(n: number): Promise<void> {
    while (this.#running.length < n) await this.#launch();
    const leaving = this.#running.splice(n);
    await Promise.all(leaving.map((i) => this.#terminate(i)));
  }

  /**
   * The fleet's mean "CPU" now, 0..1, what target tracking reads: jobs running per instance
   * over the jobs an instance's CPU can work at once (`cpuJobs`). Slow jobs hold their share
   * longer, so CPU rises with latency, not with useful work.
   */
  busy(): number {
    if (!this.#running.length) return 0;
    const jobs = this.#running.reduce((a, i) => a + i.worker.limiter.activeCount, 0);
    return Math.min(1, jobs / (this.#running.length * this.#o.cpuJobs));
  }

  /** Counters since the start, summed over every instance that ever ran. */
  totals(): FleetTotals {
    return this.#running.reduce((sum, i) => add(sum, countsOf(i)), { ...this.#retired });
  }

  /** True when any running worker has `frozen` from the guard. */
  frozen(): boolean {
    return this.#running.some((i) => i.worker.retryBudget.frozen);
  }

  async stop(): Promise<void> {
    await this.scaleTo(0);
  }

  /** An instance refresh: the `count` oldest instances replaced by new ones, cold for `cold.ms`. */
  async refresh(count: number, cold: { ms: number; failShare: number }): Promise<void> {
    const leaving = this.#running.splice(0, count);
    await Promise.all(leaving.map((i) => this.#terminate(i)));
    for (let k = 0; k < leaving.length; k++) await this.#launch({ until: Date.now() + cold.ms, failShare: cold.failShare });
  }

  async #launch(coldStart?: ConsumerOptions['coldStart']): Promise<void> {
    const o = this.#o;
    const index = this.#started++;
    const ip = `127.0.0.${10 + (index % 240)}`;
    const worker = createWorker({
      defaults: o.defaults,
      metricsPort: o.metricsPort,
      metricsHost: ip,
      // Without a guard there is no published file: the worker keeps its defaults.
      configPath: o.configPath ?? '/nonexistent/costguard/worker.json',
      pollIntervalMs: 250,
      watch: false,
      retryWindowMs: 10_000,
      log: () => undefined,
    });
    await worker.start();
    const consumer = new DemoConsumer({ sqs: o.sqs, queueUrl: o.queueUrl, worker, downstreamUrl: o.downstreamUrl, timeoutMs: o.timeoutMs, visibilityTimeoutSeconds: o.visibilityTimeoutSeconds, parkSeconds: o.parkSeconds, ...(coldStart ? { coldStart } : {}) });
    consumer.start();
    const name = `orders-worker-${index}`;
    this.#running.push({ name, worker, consumer });
    await o.pods.podUp(name, ip);
  }

  async #terminate(i: Instance): Promise<void> {
    await this.#o.pods.podDown(i.name);
    await i.consumer.stop();
    await i.worker.close({ drain: false });
    this.#retired = add(this.#retired, countsOf(i));
  }
}

function countsOf(i: Instance): FleetTotals {
  const c = i.worker.metrics.counts;
  const q: ConsumerCounts = i.consumer.counts;
  return { attempts: c.attempts, retries: c.retries, successes: c.successes, failures: c.failures, received: q.received, deleted: q.deleted, parked: q.parked };
}

function add(a: FleetTotals, b: FleetTotals): FleetTotals {
  return {
    attempts: a.attempts + b.attempts,
    retries: a.retries + b.retries,
    successes: a.successes + b.successes,
    failures: a.failures + b.failures,
    received: a.received + b.received,
    deleted: a.deleted + b.deleted,
    parked: a.parked + b.parked,
  };
}
