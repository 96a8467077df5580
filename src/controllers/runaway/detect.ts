// The runaway detector's view of one window: a pure function of (samples, now, options).
//
// A feedback loop has a signature no single metric shows: capacity grows AND the retry share
// is past the retry budget and still growing AND useful throughput per unit of capacity falls.
// Each test on its own is ordinary (load growth adds capacity, a flash crowd adds a few
// retries, a slow downstream lowers throughput); only all three together say the fleet is
// paying for its own retries. Retries and falling throughput without growth are reported for
// what they are, a downstream problem, not a loop. Hysteresis lives in verdict.ts.
import type { Sample } from '../../signals/sample.ts';
import { capacityOf, mean, median, perCapacity, retryShareOver } from './series.ts';
import { confidenceOf, type Coverage } from './coverage.ts';

export interface DetectorOptions {
  /** How far back the window reaches, in seconds (spec.runaway.window). */
  windowSeconds: number;
  /** Retries allowed as a percentage of attempts (spec.runaway.retryBudgetPercent). */
  retryBudgetPercent: number;
  /** The sampling interval, in seconds: only used to explain delays in samples. */
  intervalSeconds: number;
  /** Samples the window must hold before any verdict but "insufficient". Default 4. */
  minSamples?: number;
}

export type Signature = 'loop' | 'downstream' | 'none' | 'insufficient';

/** The numbers one window yields; undefined where the columns to compute them are missing. */
export interface WindowFigures {
  capacityFrom?: number;
  capacityTo?: number;
  /** Seconds from the capacity trough to now. */
  growthSeconds?: number;
  retryFrom?: number;
  retryTo?: number;
  /** retryTo is not falling against the samples just before the recent ones. */
  retryHolding: boolean;
  perCapacityFrom?: number;
  perCapacityTo?: number;
  breakerOpen?: number;
}

export interface Assessment {
  signature: Signature;
  /** 0-100: how strongly the window matches the loop signature, scaled by confidence. */
  score: number;
  /** 0-1: the share of the signals the detector wants that were observed. */
  confidence: number;
  /**
   * True when the retry share was observed in the recent samples, is within budget, and no
   * downstream trouble shows: the brake may release. Missing retry data is not health.
   */
  healthy: boolean;
  /** False when the recent samples carry no retry share at all: neither healthy nor a problem. */
  retryKnown: boolean;
  figures: WindowFigures;
  coverage: Coverage;
}

/** Thresholds of the signature; named so the docs and tests can refer to them. */
export const THRESHOLDS = {
  /** Capacity must grow by at least this share and by at least one unit. */
  minGrowth: 0.1,
  /** Useful throughput per unit of capacity must fall by at least this share. */
  minPerCapacityDrop: 0.15,
  /** Without growth, a drop this large (or an open fleet breaker) is a downstream problem. */
  downstreamDrop: 0.3,
  breakerOpen: 0.5,
  /** The retry share must exceed its baseline by this factor plus `riseFloor` to be "growing". */
  riseFactor: 1.25,
  riseFloor: 0.02,
  /** Samples averaged for "now" (noise) and before them for "still growing". */
  recent: 2,
} as const;

export const DEFAULT_MIN_SAMPLES = 4;

/** Assesses the window of `samples` that ends at `now` (seconds, same origin as sample.t). */
export function assess(samples: readonly Sample[], now: number, opts: DetectorOptions): Assessment {
  const window = samples.filter((s) => s.t <= now && s.t > now - opts.windowSeconds);
  const coverage = coverageOf(window);
  const confidence = confidenceOf(coverage);
  const budget = opts.retryBudgetPercent / 100;
  if (window.length < (opts.minSamples ?? DEFAULT_MIN_SAMPLES)) {
    return { signature: 'insufficient', score: 0, confidence, healthy: false, retryKnown: false, figures: { retryHolding: false }, coverage };
  }
  const figures = figuresOf(window, now);
  const parts = partsOf(figures, budget);
  const signature = signatureOf(parts, figures);
  const score = Math.round(100 * ((parts.growth + parts.retry + parts.drop) / 3) * (0.6 + 0.4 * confidence));
  const retryKnown = figures.retryTo !== undefined;
  const healthy = retryKnown && !parts.overBudget && signature !== 'downstream';
  return { signature, score: Math.min(100, score), confidence, healthy, retryKnown, figures, coverage };
}

function coverageOf(window: readonly Sample[]): Coverage {
  const has = (k: keyof Sample): boolean => window.some((s) => s[k] !== undefined);
  return {
    capacity: has('desired') || has('in_service'),
    sqsRetries: has('sqs_received') && has('sqs_deleted'),
    workerRetries: has('worker_attempts') && has('worker_retries'),
    dlq: has('dlq_in'),
    throughput: has('sqs_deleted') || has('worker_successes'),
    breaker: has('breaker_open_fraction'),
  };
}

function figuresOf(window: readonly Sample[], now: number): WindowFigures {
  const k = THRESHOLDS.recent;
  const recent = window.slice(-k);
  const before = window.slice(-2 * k, -k);
  const trough = troughIndex(window);
  const base = window.slice(0, trough + 1);
  const last = window.at(-1);
  const capTo = last ? capacityOf(last) : undefined;
  const capFrom = trough >= 0 ? capacityOf(window[trough]!) : undefined;
  const retryTo = retryShareOver(recent);
  const retryBefore = retryShareOver(before);
  return {
    ...(capFrom !== undefined && capTo !== undefined ? { capacityFrom: capFrom, capacityTo: capTo, growthSeconds: now - window[trough]!.t } : {}),
    ...defined('retryFrom', retryShareOver(base) ?? retryBefore),
    ...defined('retryTo', retryTo),
    retryHolding: retryTo !== undefined && (retryBefore === undefined || retryTo >= 0.9 * retryBefore),
    ...defined('perCapacityFrom', median(base.map(perCapacity))),
    ...defined('perCapacityTo', mean(recent.map(perCapacity))),
    ...defined('breakerOpen', mean(recent.map((s) => s.breaker_open_fraction))),
  };
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Index of the last sample (before the newest) with the window's lowest capacity; -1 without capacity. */
function troughIndex(window: readonly Sample[]): number {
  let best = -1;
  let low = Infinity;
  window.slice(0, -1).forEach((s, i) => {
    const c = capacityOf(s);
    if (c !== undefined && c <= low) {
      low = c;
      best = i;
    }
  });
  return best;
}

interface Parts {
  grew: boolean;
  overBudget: boolean;
  rising: boolean;
  falls: boolean;
  dropShare: number;
  /** 0-1 strengths of the three legs, for the score. */
  growth: number;
  retry: number;
  drop: number;
}

function grewOf(f: WindowFigures): { grew: boolean; growthShare: number } {
  if (!f.capacityFrom || f.capacityTo === undefined) return { grew: false, growthShare: 0 };
  const growthShare = f.capacityTo / f.capacityFrom - 1;
  return { grew: f.capacityTo - f.capacityFrom >= 1 && growthShare >= THRESHOLDS.minGrowth, growthShare };
}

function partsOf(f: WindowFigures, budget: number): Parts {
  const { grew, growthShare } = grewOf(f);
  const retryTo = f.retryTo ?? 0;
  const retryFrom = f.retryFrom ?? retryTo;
  const overBudget = f.retryTo !== undefined && retryTo > budget;
  const rising = overBudget && f.retryHolding && retryTo > retryFrom * THRESHOLDS.riseFactor + THRESHOLDS.riseFloor;
  const dropShare = f.perCapacityFrom && f.perCapacityTo !== undefined ? 1 - f.perCapacityTo / f.perCapacityFrom : 0;
  return {
    grew,
    overBudget,
    rising,
    falls: dropShare >= THRESHOLDS.minPerCapacityDrop,
    dropShare,
    growth: clamp01(growthShare / 0.5),
    retry: budget > 0 ? clamp01((retryTo - budget) / budget) : clamp01(retryTo * 10),
    drop: clamp01(dropShare / 0.4),
  };
}

function signatureOf(p: Parts, f: WindowFigures): Signature {
  if (p.grew && p.rising && p.falls) return 'loop';
  const breakerOpen = (f.breakerOpen ?? 0) >= THRESHOLDS.breakerOpen;
  if (!p.grew && p.overBudget && (p.dropShare >= THRESHOLDS.downstreamDrop || breakerOpen)) return 'downstream';
  return 'none';
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}
