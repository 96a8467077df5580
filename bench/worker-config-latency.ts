// Time from a change of the mounted worker.json to the new limit in effect, with the file
// updated the way the kubelet updates a ConfigMap volume (a new timestamped folder, then
// an atomic rename of the `..data` symlink). This is the worker's share of the delay; the
// kubelet's own (its sync period, about a minute by default) comes before it.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, type Worker } from '../src/worker/index.ts';

export interface ConfigLatency {
  mode: string;
  changes: number;
  medianMs: number;
  maxMs: number;
}

/** A folder laid out as the kubelet lays out a ConfigMap volume. */
class ConfigMapVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'costguard-cm-'));
  #generation = 0;

  constructor(limit: number) {
    this.#write(limit);
    symlinkSync('..data/worker.json', join(this.dir, 'worker.json'));
  }

  get file(): string {
    return join(this.dir, 'worker.json');
  }

  /** Publishes a new limit; returns the moment the swap happened. */
  update(limit: number): number {
    return this.#write(limit);
  }

  #write(limit: number): number {
    const previous = `..gen_${this.#generation}`;
    const next = `..gen_${++this.#generation}`;
    mkdirSync(join(this.dir, next));
    writeFileSync(join(this.dir, next, 'worker.json'), JSON.stringify({ version: 1, perReplicaLimit: limit, frozen: false, retryBudgetPercent: 10, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 } }));
    symlinkSync(next, join(this.dir, '..data_tmp'));
    const at = performance.now();
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    rmSync(join(this.dir, previous), { recursive: true, force: true });
    return at;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves with the moment `worker.limiter.limit` equals `limit` (checked every macrotask). */
function limitReached(worker: Worker, limit: number): Promise<number> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (worker.limiter.limit === limit) resolve(performance.now());
      else setImmediate(check);
    };
    check();
  });
}

async function measure(mode: string, options: { watch: boolean; pollIntervalMs: number }, changes: number): Promise<ConfigLatency> {
  const volume = new ConfigMapVolume(1);
  const worker = createWorker({ configPath: volume.file, metricsPort: false, log: () => undefined, ...options });
  await worker.start();
  const delays: number[] = [];
  try {
    for (let i = 0; i < changes; i++) {
      const limit = 2 + (i % 2);
      // a random phase against the poll timer, as a real update would have
      await new Promise((resolve) => setTimeout(resolve, Math.random() * options.pollIntervalMs));
      const at = volume.update(limit);
      delays.push((await limitReached(worker, limit)) - at);
    }
  } finally {
    await worker.close();
    volume.remove();
  }
  delays.sort((a, b) => a - b);
  return { mode, changes, medianMs: delays[Math.floor(delays.length / 2)]!, maxMs: delays[delays.length - 1]! };
}

export async function configLatency(): Promise<ConfigLatency[]> {
  return [
    await measure('fs.watch hint + 5 s poll (the default)', { watch: true, pollIntervalMs: 5_000 }, 20),
    await measure('poll only, every 1 s (fs.watch off)', { watch: false, pollIntervalMs: 1_000 }, 8),
  ];
}
