// The samples of each guard, in memory and bounded: one window's worth (at most MAX_SAMPLES),
// with the detector's hysteresis memory. Lost on restart by design: what must survive a
// restart (the brake, its originals, its release progress) lives in status, and the detector
// refills its window within one window length, counting an empty window as not healthy.
import type { Sample } from '../../signals/sample.ts';
import type { SignalSource, SourceFailure } from '../../signals/source.ts';
import { INITIAL_MEMORY, type DetectorMemory, type Verdict } from './verdict.ts';
import type { CapacityView } from '../targets/capacity.ts';

export const MAX_SAMPLES = 2880;

export interface GuardSamples {
  /** What the sources were built from; a change rebuilds them and starts a new series. */
  specKey: string;
  sources: SignalSource[];
  samples: Sample[];
  memory: DetectorMemory;
  verdict?: Verdict;
  failures: SourceFailure[];
  lastSampleAt?: number;
  /** The targets as the last sample observed them: what a freeze pins. */
  capacity?: CapacityView;
}

export class SampleStore {
  private readonly guards = new Map<string, GuardSamples>();

  /** The guard's entry, new (and empty) when its signal spec changed. */
  entry(key: string, specKey: string, build: () => SignalSource[]): GuardSamples {
    const existing = this.guards.get(key);
    if (existing?.specKey === specKey) return existing;
    const fresh: GuardSamples = { specKey, sources: build(), samples: [], memory: INITIAL_MEMORY, failures: [] };
    this.guards.set(key, fresh);
    return fresh;
  }

  /** Appends a sample and drops what fell out of the window (and anything beyond MAX_SAMPLES). */
  static push(entry: GuardSamples, sample: Sample, windowSeconds: number): void {
    entry.samples.push(sample);
    const oldest = sample.t - windowSeconds;
    let drop = 0;
    while (drop < entry.samples.length && entry.samples[drop]!.t <= oldest) drop++;
    drop = Math.max(drop, entry.samples.length - MAX_SAMPLES);
    if (drop > 0) entry.samples.splice(0, drop);
  }

  forget(key: string): void {
    this.guards.delete(key);
  }

  get size(): number {
    return this.guards.size;
  }
}
