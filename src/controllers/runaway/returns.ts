// What the added capacity returns: the second way the loop signature can show, before retries
// reach the budget. A loop's fleet does less useful work as it grows — every added worker adds
// load to the downstream that slows every call — while its retries climb from their calm level.
// Growth for a benign reason (a heavier job mix, a slower downstream being scaled for) does
// more work once the added capacity is in service, even when each instance does less. Pure.
import type { Sample } from '../../signals/sample.ts';
import { mean, type RetrySource, sourceShare, throughputOf } from './series.ts';
import { aboveCalm, calmCount, inServiceAtTrough } from './window.ts';

/**
 * Samples at the end of the calm part that stand for "what the smaller fleet did": as many as
 * the recent part, so both means rest on the same number of intervals.
 */
function beforeGrowth(window: readonly Sample[], trough: number, count: number): Sample[] {
  return trough < 0 ? [] : window.slice(Math.max(0, trough - count + 1), trough + 1);
}

/**
 * Useful throughput of the recent samples is below that of the samples up to the trough by more
 * than z standard errors. Each sample's relative spread is the calm part's (`cv`), and never
 * below a count's own (1/√level: deletes are counts); undefined when either side has no
 * throughput. The caller pairs it with added capacity in service: a fleet that grew and does
 * less than it did before it grew.
 */
export function throughputFell(window: readonly Sample[], trough: number, recent: readonly Sample[], noise: { cv: number; z: number }): boolean | undefined {
  const { cv, z } = noise;
  const before = beforeGrowth(window, trough, recent.length).map(throughputOf).filter((v): v is number => v !== undefined);
  const now = recent.map(throughputOf).filter((v): v is number => v !== undefined);
  // A gap on either side makes the comparison unknown: one interval against two is noise.
  if (now.length < recent.length || before.length < recent.length) return undefined;
  const [from, to] = [mean(before), mean(now)];
  if (from === undefined || to === undefined || from <= 0) return undefined;
  return to < from * (1 - relativeMargin(from, { before: before.length, after: now.length }, { cv, z }));
}

/**
 * z standard errors of a difference of two throughput means, relative to the level `from`: each
 * sample's relative spread is the calm's (`cv`), never below a count's own (1/√level).
 */
function relativeMargin(from: number, counts: { before: number; after: number }, noise: { cv: number; z: number }): number {
  const spread = Math.max(noise.cv, 1 / Math.sqrt(from));
  return noise.z * spread * Math.sqrt(1 / counts.before + 1 / counts.after);
}

/**
 * One source's retry share is higher in the recent samples than in the quiet calm by more than z
 * standard errors (the attempts behind both, and the calm's per-sample noise). Undefined when the
 * source is not observed on both sides.
 */
function sourceRising(recent: readonly Sample[], quiet: readonly Sample[], source: RetrySource, bound: { noise: number; z: number }): boolean | undefined {
  const { noise, z } = bound;
  const [now, calm] = [sourceShare(recent, source), sourceShare(quiet, source)];
  if (!now || !calm || now.samples < recent.length) return undefined;
  const [p, q] = [now.wasted / now.total, calm.wasted / calm.total];
  const se = Math.sqrt((p * (1 - p)) / now.total + (q * (1 - q)) / calm.total + noise ** 2 / now.samples);
  return p - q > z * se;
}

/**
 * Retries are climbing from their calm level, in every source that observes them: one source
 * rising while another confidently does not is a disagreement, and disagreement is not evidence
 * of a loop. Undefined when no source is observed on both sides.
 */
export function retriesRising(recent: readonly Sample[], quiet: readonly Sample[], noise: number, z: number): boolean | undefined {
  const states = (['sqs', 'workers'] as const).map((s) => sourceRising(recent, quiet, s, { noise, z })).filter((x) => x !== undefined);
  return states.length ? states.every(Boolean) : undefined;
}

/**
 * Every source past the budget reads no higher than in the quiet calm (within z standard
 * errors): a share that stood past the budget before the growth and that the growth did not
 * raise (a second consumer of the queue, a standing error rate). It is not the growth feeding
 * itself. False when no source is past the budget or one of them cannot be compared.
 */
export function retriesStanding(recent: readonly Sample[], quiet: readonly Sample[], over: readonly RetrySource[], bound: { noise: number; z: number }): boolean {
  return over.length > 0 && over.every((s) => sourceRising(recent, quiet, s, bound) === false);
}

/**
 * The recent samples whose interval the added capacity served: after the trough, with the sample
 * before each already counting more in service than the trough did. A counter covers the interval
 * that ends at its sample, so an instance that came in service at a sample has not yet shown what
 * it does there; and a sample up to the trough was served by a fleet that shrank to it, not grew.
 */
export function servedByAdded(window: readonly Sample[], trough: number, recentCount: number): Sample[] {
  const base = inServiceAtTrough(window, trough);
  if (base === undefined) return [];
  const start = Math.max(window.length - recentCount, trough + 1);
  return window.slice(start).filter((_, i) => (window[start + i - 1]?.in_service ?? -Infinity) > base);
}

/**
 * Work is waiting: messages sit in the queue that no worker has taken. Either the queue holds
 * more than one interval's useful work (a backlog, whatever the calm held), or its depth is
 * above the calm's by more than the calm's own spread, z times (never below a count's own,
 * √level): a backlog forming where a fleet keeping up held the calm's depth. Without the depth,
 * more new messages arrive than are finished. Without either, a fleet that does no more work
 * may simply have none to do. Undefined when neither is observed.
 */
export function workWaiting(recent: readonly Sample[], calm: readonly Sample[], z: number): boolean | undefined {
  const done = mean(recent.map(throughputOf));
  const depth = mean(recent.map((s) => s.sqs_visible));
  const arriving = mean(recent.map((s) => s.sqs_sent));
  if (done === undefined) return undefined;
  if (depth !== undefined) return depth > done || aboveCalmDepth(depth, calm, z);
  return arriving === undefined ? undefined : arriving > done;
}

/** The depth is above the calm's depth by more than z of its spread (calmCount: never below √level, nor 1). */
function aboveCalmDepth(depth: number, calm: readonly Sample[], z: number): boolean {
  const depths = calmCount(calm, (s) => s.sqs_visible);
  return depths !== undefined && aboveCalm(depth, depths, z);
}

/** What added capacity returns is judged with these: the calm's noise, z, the least growth, and the quiet calm (for work waiting). */
export interface ReturnTest {
  cv: number;
  z: number;
  minGrowth: number;
  calm: readonly Sample[];
}

/**
 * Less than this share of what each unit of the smaller fleet did, per added unit: more of the
 * added capacity is wasted than used. Not a tuned figure: the point where waste outweighs work.
 */
export const WASTED_SHARE = 0.5;

/** What the added capacity did over the intervals it served, beside what the smaller fleet did before it grew. */
export interface AddedReturn {
  /** Useful throughput per interval: the smaller fleet's, and over the intervals the added capacity served. */
  from: number;
  to: number;
  /** In-service capacity at the samples it served over the trough's, less one (a gap there leaves it unknown). */
  growth: number;
  /** In-service capacity grew by at least the least growth (ReturnTest.minGrowth). */
  grewEnough: boolean;
  /** z standard errors of `to − from`, relative to `from`. */
  margin: number;
  /** Recent intervals the added capacity served, and of how many. */
  served: number;
  recent: number;
  waiting: boolean | undefined;
}

/** What the added capacity returned; undefined when it cannot be told (nothing served yet, a gap in a served interval). */
export function addedReturn(window: readonly Sample[], trough: number, recentCount: number, opts: ReturnTest): AddedReturn | undefined {
  const served = servedByAdded(window, trough, recentCount);
  const before = beforeGrowth(window, trough, recentCount);
  const done = served.map(throughputOf);
  // Every interval the added capacity served must be observed: a gap there is not idleness.
  if (done.includes(undefined)) return undefined;
  const from = mean(before.map(throughputOf));
  const to = mean(done);
  const [capFrom, capTo] = [inServiceAtTrough(window, trough), mean(served.map((s) => s.in_service))];
  if (!served.length || from === undefined || to === undefined || from <= 0 || !capFrom || capTo === undefined) return undefined;
  const growth = capTo / capFrom - 1;
  const margin = relativeMargin(from, { before: before.length, after: served.length }, opts);
  return { from, to, growth, grewEnough: growth >= opts.minGrowth, margin, served: served.length, recent: recentCount, waiting: workWaiting(served, opts.calm, opts.z) };
}

/**
 * Per added unit, the added capacity returned no more than `share` of what each unit of the
 * smaller fleet did, while work was waiting: throughput over the intervals it served is not above
 * the smaller fleet's plus that share of the growth (z standard errors up). False when capacity
 * in service grew too little to judge; undefined when it cannot be told.
 */
function returnedAtMost(share: number, r: AddedReturn | undefined): boolean | undefined {
  if (!r) return undefined;
  if (!r.grewEnough) return false;
  if (r.waiting === undefined) return undefined;
  return r.waiting && r.to <= r.from * (1 + share * r.growth + r.margin);
}

/**
 * Added capacity in service returned no useful work: throughput over the intervals it served is
 * not above what the smaller fleet did (its upper bound, z standard errors up), while in-service
 * capacity grew by at least the least growth and work was waiting (beside the quiet calm).
 * Undefined when it cannot be told.
 */
export function addedIdle(r: AddedReturn | undefined): boolean | undefined {
  return returnedAtMost(0, r);
}

/**
 * Most of the added capacity is waste: per added unit, it returned less than WASTED_SHARE of what
 * each unit of the smaller fleet did, while work waited — a downstream that slows as the fleet
 * adds load to it. Judged only once the added capacity served every recent interval: one
 * interval's figure against two is noise. Undefined when it cannot be told.
 */
export function addedWasted(r: AddedReturn | undefined): boolean | undefined {
  return r && r.served < r.recent ? undefined : returnedAtMost(WASTED_SHARE, r);
}

/** Per added unit, the share of each smaller-fleet unit's work the added capacity returned (for the evidence). */
export function shareReturned(r: AddedReturn | undefined): number | undefined {
  return r && r.growth > 0 ? (r.to / r.from - 1) / r.growth : undefined;
}
