// The retry leg of the signature, read with a confidence that comes from the data: how many
// attempts the share is counted over, and how much the share wanders from sample to sample
// in the window's calm part. A share is "over budget" only when its lower bound is; "within"
// only when its upper bound is. Each source is read on its own: when one is over and another
// within, the sources disagree — that lowers confidence, it does not pick the worst.
import type { Sample } from '../../signals/sample.ts';
import { type RetrySource, sampleShares, sourceShare, stdev } from './series.ts';

/**
 * z of the one-sided 99 % bound: a share is called over (or within) budget only when it is so
 * with 99 % confidence, counting both the attempts behind it and the window's noise. Chosen on
 * the queueing trace family alone (bench/detector-calibrate.ts, from 95 % and 99 %), measured
 * on the discrete-event family, which the choice never saw.
 */
export const DEFAULT_CONFIDENCE_Z = 2.326;
/** Fewer calm samples than this say nothing about the noise; the count-based bound stands alone. */
export const MIN_NOISE_SAMPLES = 3;

export type ShareState = 'over' | 'within' | 'unsure';

export interface SourceReading {
  source: RetrySource;
  share: number;
  low: number;
  high: number;
  attempts: number;
  state: ShareState;
}

export type RetryState = ShareState | 'disputed' | 'unknown';

export interface RetryReading {
  state: RetryState;
  sources: SourceReading[];
}

/**
 * One source over the recent samples: the share, and its bound from the binomial spread of
 * `attempts` draws plus the per-sample noise the calm samples show (averaged over the recent ones).
 */
export function readSource(recent: readonly Sample[], calm: readonly Sample[], source: RetrySource, bound: { budget: number; z: number }): SourceReading | undefined {
  const { budget, z } = bound;
  const sum = sourceShare(recent, source);
  if (!sum) return undefined;
  const share = sum.wasted / sum.total;
  const calmShares = sampleShares(calm, source);
  const noise = calmShares.length >= MIN_NOISE_SAMPLES ? (stdev(calmShares) ?? 0) : 0;
  const se = Math.sqrt((share * (1 - share)) / sum.total + noise ** 2 / sum.samples);
  const [low, high] = [share - z * se, share + z * se];
  const state: ShareState = low > budget ? 'over' : high <= budget ? 'within' : 'unsure';
  return { source, share, low, high, attempts: sum.total, state };
}

/** Both sources, combined without taking the worst: agreement, disagreement, or not enough to tell. */
export function readRetries(recent: readonly Sample[], calm: readonly Sample[], budget: number, z: number): RetryReading {
  const sources = (['sqs', 'workers'] as const).flatMap((k) => readSource(recent, calm, k, { budget, z }) ?? []);
  return { state: combine(sources.map((s) => s.state)), sources };
}

function combine(states: readonly ShareState[]): RetryState {
  if (!states.length) return 'unknown';
  const over = states.includes('over');
  const within = states.includes('within');
  if (over && within) return 'disputed';
  if (over) return 'over';
  return states.every((s) => s === 'within') ? 'within' : 'unsure';
}

/** The point share of the sources that observed it, pooled: for "is this sample in trouble" and the evidence. */
export function pooledShare(r: RetryReading): number | undefined {
  if (!r.sources.length) return undefined;
  return r.sources.reduce((a, s) => a + s.share * s.attempts, 0) / r.sources.reduce((a, s) => a + s.attempts, 0);
}
