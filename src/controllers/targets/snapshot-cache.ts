// Per-target snapshots with a maximum age and one refresh at a time per target: the shared
// mechanism behind the named-group and the tag-selector snapshots. What a snapshot holds, what
// "covers" a request and how it is loaded are the caller's.
import type { Clock } from '../../runtime/clock.ts';

export interface Dated {
  /** When the load that produced it started (clock ms). */
  readonly at: number;
}

export class SnapshotCache<S extends Dated> {
  private readonly snapshots = new Map<string, S>();
  private readonly refreshing = new Map<string, Promise<S>>();
  private readonly clock: Clock;
  private readonly maxAgeMs: number;

  constructor(clock: Clock, maxAgeMs: number) {
    this.clock = clock;
    this.maxAgeMs = maxAgeMs;
  }

  /**
   * The snapshot of `key` when it is young enough and `covers` the request; else a refresh in
   * flight that covers it; else a new `load` (concurrent callers share it). A caller that
   * samples more often than the cache's age (the runaway detector) asks for a younger one.
   */
  async get(key: string, covers: (s: S) => boolean, load: (startedAt: number) => Promise<S>, maxAgeMs = this.maxAgeMs): Promise<S> {
    const current = this.snapshots.get(key);
    if (current && this.clock.now() - current.at < Math.min(maxAgeMs, this.maxAgeMs) && covers(current)) return current;
    const pending = this.refreshing.get(key);
    if (pending) {
      const shared = await pending;
      if (covers(shared)) return shared;
    }
    const run = load(this.clock.now());
    this.refreshing.set(key, run);
    try {
      const snapshot = await run;
      this.snapshots.set(key, snapshot);
      return snapshot;
    } finally {
      if (this.refreshing.get(key) === run) this.refreshing.delete(key);
    }
  }

  /** Replaces the stored snapshot of `key` with `change(it)`; nothing when there is none or it returns undefined. */
  update(key: string, change: (s: S) => S | undefined): void {
    const current = this.snapshots.get(key);
    const next = current && change(current);
    if (next) this.snapshots.set(key, next);
  }
}
