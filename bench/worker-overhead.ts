// Worker library overhead, in process: the same trivial job through bare p-limit + bare
// opossum and through costguard/worker (limiter + breaker + retry-budget bookkeeping +
// metrics), side by side in alternating rounds, at concurrency 1, 16 and 256. The job
// itself does nothing, so the figure is the library's cost per job, the worst case; a real
// job (a network call) makes it a far smaller share.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CircuitBreaker from 'opossum';
import pLimit from 'p-limit';
import { createWorker } from '../src/worker/index.ts';

export interface OverheadRow {
  concurrency: number;
  bareNsPerJob: number;
  libraryNsPerJob: number;
  /** library / bare − 1 (0.05 = 5 % slower). */
  overhead: number;
}

type Submit = () => Promise<unknown>;

const job = (): Promise<number> => Promise.resolve(1);

/**
 * Runs `jobs` jobs from `concurrency` closed-loop lanes; returns CPU ns per job. CPU time,
 * not wall time, so that other processes on a busy machine do not blur the comparison.
 */
async function closedLoop(concurrency: number, jobs: number, submit: Submit): Promise<number> {
  const perLane = Math.ceil(jobs / concurrency);
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < perLane; i++) await submit();
  }));
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / (perLane * concurrency);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Contender {
  submit: Submit;
  close(): Promise<void>;
}

function bare(concurrency: number): Contender {
  const limit = pLimit(concurrency);
  const breaker = new CircuitBreaker(job, { volumeThreshold: 10 });
  return { submit: () => limit(() => breaker.fire()), close: () => Promise.resolve(breaker.shutdown()) };
}

async function library(concurrency: number, configDir: string): Promise<Contender> {
  const configPath = join(configDir, `worker-${concurrency}.json`);
  writeFileSync(configPath, JSON.stringify({ version: 1, perReplicaLimit: concurrency, frozen: false, retryBudgetPercent: 10, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 } }));
  const worker = createWorker({ configPath, metricsPort: false, watch: false, log: () => undefined });
  await worker.start();
  const breaker = worker.breaker('bench', job);
  return { submit: () => worker.run(() => breaker.fire()), close: () => worker.close() };
}

export async function workerOverhead(options: { jobs?: number; rounds?: number; concurrencies?: number[] } = {}): Promise<OverheadRow[]> {
  const jobs = options.jobs ?? 20_000;
  const rounds = options.rounds ?? 25;
  const configDir = mkdtempSync(join(tmpdir(), 'costguard-bench-'));
  const rows: OverheadRow[] = [];
  try {
    for (const concurrency of options.concurrencies ?? [1, 16, 256]) {
      const a = bare(concurrency);
      const b = await library(concurrency, configDir);
      await closedLoop(concurrency, jobs, a.submit); // warm up both
      await closedLoop(concurrency, jobs, b.submit);
      const bareNs: number[] = [];
      const libraryNs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        bareNs.push(await closedLoop(concurrency, jobs, a.submit));
        libraryNs.push(await closedLoop(concurrency, jobs, b.submit));
      }
      await Promise.all([a.close(), b.close()]);
      const bareNsPerJob = median(bareNs);
      const libraryNsPerJob = median(libraryNs);
      rows.push({ concurrency, bareNsPerJob, libraryNsPerJob, overhead: libraryNsPerJob / bareNsPerJob - 1 });
    }
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
  return rows;
}
