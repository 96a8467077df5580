// A fleet of real costguard/worker instances in this process, each serving its own /metrics on
// a loopback port, and a driver that runs jobs through them: a share of first attempts fails
// and is retried (as the retry budget allows). The share is exact, not random, so a test knows
// the retry share the workers' counters must show.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrometheusServer } from '../../../hack/localenv/index.ts';
import { createWorker, type Worker } from '../../../src/worker/index.ts';
import { eventually } from '../runtime/helpers.ts';

export interface FleetLoad {
  /** New jobs each worker starts per 100 ms. */
  jobsPerTick: number;
  /** Share of first attempts that fail, 0-1; each failure asks the retry budget for one retry. */
  failShare: number;
}

const TICK_MS = 100;

/** The PromQL a guard asks for: the fleet's counters in one namespace as per-second rates (retries, attempts, useful throughput). */
export function workerRates(namespace: string): { retries: string; attempts: string; throughput: string } {
  const rate = (counter: string): string => `sum(rate(costguard_worker_${counter}_total{namespace="${namespace}"}[5s]))`;
  return { retries: rate('retries'), attempts: rate('attempts'), throughput: rate('successes') };
}

export class WorkerFleet {
  readonly workers: Worker[] = [];
  readonly load: FleetLoad = { jobsPerTick: 10, failShare: 0 };
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private owed = 0;
  private failOwed = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'costguard-fleet-'));

  /** Starts `size` workers; their config file does not exist, so they run on `defaults`. */
  async start(size: number): Promise<void> {
    for (let i = 0; i < size; i++) {
      const worker = createWorker({
        configPath: join(this.dir, 'absent', 'worker.json'),
        metricsPort: 0,
        metricsHost: '127.0.0.1',
        // The fleet is retrying hard on purpose: no budget stops the storm before the guard does.
        defaults: { perReplicaLimit: 16, retryBudgetPercent: 100 },
        log: () => undefined,
      });
      await worker.start();
      this.workers.push(worker);
    }
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** host:port of each worker's /metrics. */
  get targets(): string[] {
    return this.workers.map((w) => `127.0.0.1:${w.metricsPort}`);
  }

  /** Useful completions per second across the fleet at the current load. */
  get successesPerSecond(): number {
    return this.workers.length * this.load.jobsPerTick * (1000 / TICK_MS);
  }

  /** Waits until `throughput` (a PromQL rate of the successes) reads the fleet's steady rate. */
  async steadyIn(prom: PrometheusServer, throughput: string): Promise<void> {
    const want = this.successesPerSecond;
    await eventually(`${throughput} near ${want}/s`, async () => {
      const [s] = await prom.query(throughput);
      return s !== undefined && Math.abs(s.value - want) < want * 0.1;
    }, 30_000, 250);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.workers.map((w) => w.close({ drain: false })));
    rmSync(this.dir, { recursive: true, force: true });
  }

  // Jobs are owed by elapsed time, not by tick: on a busy machine a late tick runs the jobs of
  // the ticks it missed, so the fleet's throughput stays what the test set.
  private tick(): void {
    const now = Date.now();
    this.owed += ((now - this.lastTick) / TICK_MS) * this.load.jobsPerTick;
    this.lastTick = now;
    const jobs = Math.floor(this.owed);
    this.owed -= jobs;
    this.failOwed += jobs * this.load.failShare;
    const failing = Math.floor(this.failOwed);
    this.failOwed -= failing;
    for (const worker of this.workers) {
      for (let i = 0; i < jobs; i++) void this.job(worker, i < failing);
    }
  }

  /** One job: the first attempt fails when told to; its retry succeeds. */
  private async job(worker: Worker, fails: boolean): Promise<void> {
    try {
      await worker.run(() => (fails ? Promise.reject(new Error('downstream 503')) : Promise.resolve()));
    } catch {
      if (worker.tryRetry()) await worker.run(() => Promise.resolve()).catch(() => undefined);
    }
  }
}
