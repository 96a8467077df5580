// The worker follows a ConfigMap volume updated the way the kubelet updates it: a new
// timestamped folder, then an atomic rename of the `..data` symlink that `worker.json`
// points through. fs.watch on the folder notices at once; without it, the poll does.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, type Worker } from '../../../src/worker/index.ts';
import { waitFor } from './fixtures.ts';

class KubeletVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'costguard-volume-'));
  #generation = 0;

  constructor(content: string) {
    this.publish(content);
    symlinkSync('..data/worker.json', join(this.dir, 'worker.json'));
  }

  get file(): string {
    return join(this.dir, 'worker.json');
  }

  publish(content: string): void {
    const previous = `..gen_${this.#generation}`;
    const next = `..gen_${++this.#generation}`;
    mkdirSync(join(this.dir, next));
    writeFileSync(join(this.dir, next, 'worker.json'), content);
    symlinkSync(next, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    rmSync(join(this.dir, previous), { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const doc = (limit: number): string => JSON.stringify({ version: 1, perReplicaLimit: limit, frozen: false, retryBudgetPercent: 10, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 } });

describe('worker config from a kubelet-style ConfigMap volume', () => {
  let volume: KubeletVolume;
  let worker: Worker;
  afterEach(async () => {
    await worker.close();
    volume.remove();
  });

  it('fs.watch picks up the symlink swap long before the (1 hour) poll', async () => {
    volume = new KubeletVolume(doc(3));
    worker = createWorker({ configPath: volume.file, metricsPort: false, pollIntervalMs: 3_600_000, log: () => undefined });
    await worker.start();
    assert.equal(worker.limiter.limit, 3);
    volume.publish(doc(7));
    await waitFor(() => worker.limiter.limit === 7, 'the new limit is in effect', 5_000);
    volume.publish('{"version":1,"perReplicaLimit":');
    await waitFor(() => worker.config.lastError !== undefined, 'the corrupt update was seen', 5_000);
    assert.equal(worker.limiter.limit, 7, 'the last good limit stays');
  });

  it('without fs.watch, the poll picks it up within one interval', async () => {
    volume = new KubeletVolume(doc(2));
    worker = createWorker({ configPath: volume.file, metricsPort: false, watch: false, pollIntervalMs: 200, log: () => undefined });
    await worker.start();
    volume.publish(doc(5));
    await waitFor(() => worker.limiter.limit === 5, 'the new limit is in effect', 5_000);
  });
});
