// The runaway detector's view of one window: a pure function of (samples, now, options).
//
// A feedback loop has a signature no single metric shows. All of these must hold (legs.ts):
// - growth: capacity rose since the window's trough;
// - retries: the retry share is past the retry budget the user set, with 99 % confidence
//   counting the attempts behind it and the window's own noise (shares.ts), and is not
//   confidently falling (a storm draining is not a loop feeding itself);
// - no useful gain: useful throughput (deletes, else successes) has not risen above its calm
//   level — added capacity is not buying work. Load growth, flash crowds and instance refreshes
//   while traffic grows all raise it;
// - in answer to trouble: capacity rose while the fleet was already in trouble (retries,
//   throughput down, or a backlog growing at the calm demand). A scheduled or hand-made
//   increase followed by a downstream blip is not a loop, whatever the legs show afterwards;
// - beyond demand: when new messages (sqs_sent) are observed, capacity grew more than they
//   did. A flash crowd whose backlog the fleet is still catching up on has grown less than its
//   demand; a loop grows with no new work at all. Without sqs_sent, the added capacity must
//   have served a sample in service before what it does is judged.
// When the retry sources disagree the verdict needs more evaluations (verdict.ts), and the
// evidence says why. Retries and falling throughput without growth are a downstream problem,
// not a loop. Missing data is neither a retry nor health.
import { SIGNAL_COLUMNS, type Sample } from '../../signals/sample.ts';
import { confidenceOf, type Coverage } from './coverage.ts';
import { addedCapacityWasted, type Legs, legsOf, lessWorkMoreRetries, MIN_GROWTH, outgrewLoad, retriesPastBudget, unexplainedGrowth } from './legs.ts';
import { capacityOf, mean, median, perCapacity, throughputOf } from './series.ts';
import { DEFAULT_CONFIDENCE_Z, pooledShare, readRetries } from './shares.ts';
import { partsOf, type WindowParts } from './window.ts';

export type { Legs } from './legs.ts';

export interface DetectorOptions {
  /** How far back the window reaches, in seconds (spec.runaway.window). */
  windowSeconds: number;
  /** Retries allowed as a percentage of attempts (spec.runaway.retryBudgetPercent). */
  retryBudgetPercent: number;
  /** The sampling interval, in seconds: only used to explain delays in samples. */
  intervalSeconds: number;
  /** Samples the window must hold before any verdict but "insufficient". Default 4. */
  minSamples?: number;
  /** z of the confidence bounds (default 2.326, one-sided 99 %); the bench calibrates it on one trace family. */
  confidenceZ?: number;
  /** Evaluations in a row a verdict needs while the sources agree (default 1; doubled when they disagree). */
  confirmations?: number;
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
  throughputFrom?: number;
  throughputTo?: number;
  /** New messages (sqs_sent) per sample: calm median and recent mean. */
  demandFrom?: number;
  demandTo?: number;
  breakerOpen?: number;
}

export interface Assessment {
  signature: Signature;
  /** 0-100: how strongly the window matches the loop signature, scaled by confidence. */
  score: number;
  /** 0-1: the share of the signals the detector wants that were observed, lowered by gaps and disagreement. */
  confidence: number;
  /**
   * True when the retry share was observed in the recent samples, is within budget, no
   * downstream trouble shows, and added capacity is not returning less or no work: the brake
   * may release. Missing retry data is not health.
   */
  healthy: boolean;
  /** False when the recent samples carry no retry share at all: neither healthy nor a problem. */
  retryKnown: boolean;
  figures: WindowFigures;
  coverage: Coverage;
  legs?: Legs;
  /** Share (0-1) of the cells of observed columns that are empty in the window. */
  gapShare: number;
  /** Consecutive evaluations this verdict needs before it changes state (more when sources disagree). */
  confirmations: number;
}

/** Thresholds of the signature; each tied to what the user set or the data shows, or named with its reason. */
export const THRESHOLDS = {
  /** Capacity's least growth, as a share (see legs.ts). */
  minGrowth: MIN_GROWTH,
  /** Without growth, throughput per unit of capacity this far down (or an open fleet breaker) is a downstream problem. */
  downstreamDrop: 0.3,
  /** The fleet breaker's own quorum default (spec.breaker.fleetOpenPercent: 50). */
  breakerOpen: 0.5,
  /** Samples summed for "now": two 30 s samples, one CloudWatch minute. */
  recent: 2,
} as const;

/**
 * Evaluations in a row a verdict needs when the sources agree (doubled when they disagree). One:
 * the noise guard is the confidence bound, not a repeat. Chosen on the queueing trace family
 * alone (bench/detector-calibrate.ts, from one to three), measured on the discrete-event family.
 */
export const BASE_CONFIRMATIONS = 1;
/** Confidence kept when the retry sources disagree: one of two views stands against the other. */
export const DISPUTED_CONFIDENCE = 0.5;

export const DEFAULT_MIN_SAMPLES = 4;

/** Assesses the window of `samples` that ends at `now` (seconds, same origin as sample.t). */
export function assess(samples: readonly Sample[], now: number, opts: DetectorOptions): Assessment {
  const window = samples.filter((s) => s.t <= now && s.t > now - opts.windowSeconds);
  const coverage = coverageOf(window);
  const gapShare = gapShareOf(window);
  const budget = opts.retryBudgetPercent / 100;
  if (window.length < (opts.minSamples ?? DEFAULT_MIN_SAMPLES)) {
    const confidence = round2(confidenceOf(coverage) * (1 - gapShare));
    return { signature: 'insufficient', score: 0, confidence, healthy: false, retryKnown: false, figures: { retryHolding: false }, coverage, gapShare, confirmations: opts.confirmations ?? BASE_CONFIRMATIONS };
  }
  const z = opts.confidenceZ ?? DEFAULT_CONFIDENCE_Z;
  const parts = partsOf(window, THRESHOLDS.recent);
  const legs = legsOf(window, parts, budget, z);
  const figures = figuresOf(window, parts, now);
  const signature = signatureOf(legs, figures);
  const disputed = legs.retries.state === 'disputed';
  const confidence = round2(confidenceOf(coverage) * (1 - gapShare) * (disputed ? DISPUTED_CONFIDENCE : 1));
  const retryKnown = figures.retryTo !== undefined;
  const healthy = retryKnown && healthOf(legs, figures, budget) && signature !== 'downstream';
  const score = scoreOf(figures, budget, confidence);
  const confirmations = Math.ceil((opts.confirmations ?? BASE_CONFIRMATIONS) / (disputed && restsOnRetries(legs, figures, signature) ? DISPUTED_CONFIDENCE : 1));
  return { signature, score, confidence, healthy, retryKnown, figures, coverage, legs, gapShare, confirmations };
}

/**
 * The signature would differ without the retry evidence (its state unknown): a verdict the
 * disputed sources carry. One that stands on what the added capacity returns does not wait on
 * a disagreement about retries; its confidence still shows the disagreement.
 */
function restsOnRetries(legs: Legs, f: WindowFigures, signature: Signature): boolean {
  return signatureOf({ ...legs, retries: { ...legs.retries, state: 'unknown' } }, f) !== signature;
}

/**
 * Health needs the pooled share within budget and no source confidently past it: a source that
 * disagrees is not outvoted into health. Nor is a fleet whose added capacity still returns no
 * work healthy, whatever its retries read: a loop told that way may never have crossed the
 * budget, and releasing it would let the autoscaler add more of the same.
 */
function healthOf(legs: Legs, f: WindowFigures, budget: number): boolean {
  const noSourceOver = legs.retries.sources.every((r) => r.state !== 'over');
  return (f.retryTo ?? 0) <= budget && noSourceOver && !addedCapacityWasted(legs);
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

/** Empty cells over all cells of the columns the window observes at all. */
function gapShareOf(window: readonly Sample[]): number {
  const columns = SIGNAL_COLUMNS.filter((c) => window.some((s) => s[c] !== undefined));
  if (!columns.length) return 0;
  let missing = 0;
  for (const c of columns) for (const s of window) if (s[c] === undefined) missing++;
  return missing / (columns.length * window.length);
}

function figuresOf(window: readonly Sample[], p: WindowParts, now: number): WindowFigures {
  const k = THRESHOLDS.recent;
  const before = window.slice(-2 * k, -k);
  const capTo = capacityOf(window.at(-1)!);
  const capFrom = p.trough >= 0 ? capacityOf(window[p.trough]!) : undefined;
  const reading = readRetries(p.recent, p.calm, 0, 0);
  const retryTo = pooledShare(reading);
  const retryBefore = pooledShare(readRetries(before, [], 0, 0));
  return {
    ...(capFrom !== undefined && capTo !== undefined ? { capacityFrom: capFrom, capacityTo: capTo, growthSeconds: now - window[p.trough]!.t } : {}),
    ...defined('retryFrom', pooledShare(readRetries(p.calm, [], 0, 0)) ?? retryBefore),
    ...defined('retryTo', retryTo),
    retryHolding: retryTo !== undefined && (retryBefore === undefined || retryTo >= 0.9 * retryBefore),
    ...defined('perCapacityFrom', median(p.calm.map(perCapacity))),
    ...defined('perCapacityTo', mean(p.recent.map(perCapacity))),
    ...defined('throughputFrom', median(p.calm.map(throughputOf))),
    ...defined('throughputTo', mean(p.recent.map(throughputOf))),
    ...defined('demandFrom', median(p.calm.map((s) => s.sqs_sent))),
    ...defined('demandTo', mean(p.recent.map((s) => s.sqs_sent))),
    ...defined('breakerOpen', mean(p.recent.map((s) => s.breaker_open_fraction))),
  };
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/**
 * The waste that makes growth a loop: retries past the budget with no useful gain, or — before
 * retries reach the budget — added capacity in service doing less useful work than the smaller
 * fleet did while retries climb from their calm level (returns.ts). The second is waste beyond
 * any retry budget: all of the added capacity, and then some.
 */
function wasteful(l: Legs): boolean {
  if (l.noUsefulGain !== true) return false;
  // A retry share confidently falling is a storm draining: it voids the retry evidence, not idleness.
  // A share that stood past the budget before the growth and did not rise is not the growth feeding itself.
  const retriesFeeding = !l.retriesFalling && ((retriesPastBudget(l) && !l.retriesStanding) || lessWorkMoreRetries(l));
  return retriesFeeding || l.addedIdle === true;
}

function signatureOf(l: Legs, f: WindowFigures): Signature {
  if (l.grew && ((wasteful(l) && l.answeredTrouble && unexplainedGrowth(l)) || outgrewLoad(l))) return 'loop';
  const breakerOpen = (f.breakerOpen ?? 0) >= THRESHOLDS.breakerOpen;
  if (!l.grew && l.retries.state === 'over' && (dropOf(f) >= THRESHOLDS.downstreamDrop || breakerOpen)) return 'downstream';
  return 'none';
}

function dropOf(f: WindowFigures): number {
  return f.perCapacityFrom && f.perCapacityTo !== undefined ? 1 - f.perCapacityTo / f.perCapacityFrom : 0;
}

/** 0-100: the mean strength of growth, retries past budget and the per-capacity drop, scaled by confidence. */
function scoreOf(f: WindowFigures, budget: number, confidence: number): number {
  const growth = f.capacityFrom && f.capacityTo !== undefined ? clamp01((f.capacityTo / f.capacityFrom - 1) / 0.5) : 0;
  const retryTo = f.retryTo ?? 0;
  const retry = budget > 0 ? clamp01((retryTo - budget) / budget) : clamp01(retryTo * 10);
  const drop = clamp01(dropOf(f) / 0.4);
  return Math.min(100, Math.round(100 * ((growth + retry + drop) / 3) * (0.6 + 0.4 * confidence)));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
