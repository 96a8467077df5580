// One GetMetricData batch per AWS target (region + role) per sampling cycle, shared by every
// guard: the first guard that samples in a cycle fetches the counters of every queue any guard
// watches in that region, concurrent callers share the call, the rest read the cache. So 200
// guards in one region cost one call per cycle (up to 166 queues per call), not 200.
import type { AwsTarget } from '../cloud/aws/clients.ts';
import type { QueueCounters, QueueMetrics } from '../cloud/queues.ts';
import type { QueueCountersReader } from './sqs.ts';

interface Batch {
  at: number;
  names: ReadonlySet<string>;
  counters: ReadonlyMap<string, QueueCounters>;
}

export interface SharedQueueMetricsOptions {
  metrics(target: AwsTarget): QueueMetrics;
  /** Every queue name any guard watches on this target (from the informer cache). */
  queuesFor(target: AwsTarget): readonly string[];
  /** How long one batch serves (the sampling interval). */
  maxAgeMs: number;
}

export class SharedQueueMetrics {
  private readonly opts: SharedQueueMetricsOptions;
  private readonly batches = new Map<string, Batch>();
  private readonly pending = new Map<string, Promise<Batch>>();
  /** GetMetricData batches made, for tests and the bench. */
  calls = 0;

  constructor(opts: SharedQueueMetricsOptions) {
    this.opts = opts;
  }

  reader(target: AwsTarget): QueueCountersReader {
    return { counters: async (name, nowMs) => (await this.batch(target, name, nowMs)).counters.get(name) };
  }

  private async batch(target: AwsTarget, name: string, nowMs: number): Promise<Batch> {
    const key = `${target.region}|${target.roleArn ?? ''}`;
    const cached = this.batches.get(key);
    if (cached && nowMs - cached.at < this.opts.maxAgeMs && cached.names.has(name)) return cached;
    const running = this.pending.get(key);
    if (running) {
      const shared = await running;
      if (shared.names.has(name)) return shared;
    }
    const names = new Set([...this.opts.queuesFor(target), name]);
    const run = (async () => {
      this.calls++;
      const counters = await this.opts.metrics(target).latest([...names], nowMs);
      return { at: nowMs, names, counters };
    })();
    this.pending.set(key, run);
    try {
      const batch = await run;
      this.batches.set(key, batch);
      return batch;
    } finally {
      if (this.pending.get(key) === run) this.pending.delete(key);
    }
  }
}
