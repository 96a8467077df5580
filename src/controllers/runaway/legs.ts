// The legs of the loop signature over one window (see detect.ts for what each means and why).
// Pure: each leg is a yes/no (or "cannot tell") computed from the window's calm and recent parts.
import type { Sample } from '../../signals/sample.ts';
import { capacityOf, mean, median, stdev, type RetrySource, sourceShare, throughputOf } from './series.ts';
import { readRetries, type RetryReading } from './shares.ts';
import { calmBacklog, calmShareNoise, calmThroughput, grewAfterTrouble, inServiceAtTrough, keptUpPart, losingToDemand, quietPart, throughputNoise, type WindowParts } from './window.ts';
import { MIN_NOISE_SAMPLES } from './shares.ts';
import { addedIdle, addedReturn, addedWasted, retriesRising, retriesStanding, shareReturned, throughputFell } from './returns.ts';

/**
 * Capacity must grow by one unit (a group's smallest step) and by 10 %: target tracking's own
 * dead band (its scale-in alarm sits at 90 % of target), below which a group wanders anyway.
 */
export const MIN_GROWTH = 0.1;

/** Which legs of the signature hold; the evidence explains the ones that do not. */
export interface Legs {
  grew: boolean;
  retries: RetryReading;
  /** Useful throughput has not risen above its calm level (undefined: no throughput observed). */
  noUsefulGain?: boolean;
  answeredTrouble: boolean;
  /** Capacity rose while the fleet was losing to demand (finishing fewer messages than arrived), or in other trouble. */
  answeredLoad: boolean;
  /** The recent samples finished fewer messages than arrived, beyond the counts' noise; undefined without sqs_sent. */
  losing?: boolean;
  /** Capacity grew more than demand (new messages) did; undefined when demand is not observed. */
  beyondDemand?: boolean;
  /**
   * Added capacity has served the recent samples. Without demand this is the only test of
   * "does it add useful work": launches still warming up have done nothing yet, in a loop or
   * in a crowd still being caught up with.
   */
  addedInService: boolean;
  /** The retry share is confidently lower now than just before: a storm draining, not a loop feeding itself. */
  retriesFalling: boolean;
  /**
   * Capacity added and in service, and useful throughput confidently below what the smaller
   * fleet did just before it grew (returns.ts); undefined when throughput is not observed.
   */
  capacityHurts?: boolean;
  /** Added capacity in service returned no useful work while work was waiting (returns.ts). */
  addedIdle?: boolean;
  /** Added capacity in service returned less than half its share of work while work was waiting (returns.ts). */
  addedWasted?: boolean;
  /** Per added unit, the share of each smaller-fleet unit's work the added capacity returned (for the evidence). */
  addedShare?: number;
  /** Every retry source observed is confidently above its quiet calm level; undefined when none is. */
  retriesRising?: boolean;
  /** Every source past the budget stood there in the quiet calm too: the growth did not raise it (returns.ts). */
  retriesStanding: boolean;
}

export function legsOf(window: readonly Sample[], p: WindowParts, budget: number, z: number): Legs {
  // The noise the trouble test allows for comes from the calm before any trouble began.
  const quiet = quietPart(p.calm, budget, MIN_NOISE_SAMPLES);
  const throughput = calmThroughput(quiet);
  const keptUp = keptUpPart(quiet, z, MIN_NOISE_SAMPLES);
  const backlog = keptUp && calmBacklog(keptUp);
  const trouble = { budget, z, shareNoise: calmShareNoise(quiet), ...(throughput ? { throughput } : {}), ...(backlog ? { backlog } : {}) };
  const now = mean(p.recent.map(throughputOf));
  const inService = addedInService(window, p);
  const cv = throughputNoise(quiet) ?? 0;
  const fell = throughputFell(window, p.trough, p.recent, { cv, z });
  const added = addedReturn(window, p.trough, p.recent.length, { cv, z, minGrowth: MIN_GROWTH, calm: quiet });
  const addedShare = shareReturned(added);
  // "Not above its calm level" allows for the calm level's own noise, averaged over the recent samples.
  const retries = readRetries(p.recent, p.calm, budget, z);
  const noUsefulGain = throughput && now !== undefined ? now <= throughput.level * (1 + (z * throughput.cv) / Math.sqrt(p.recent.length)) : undefined;
  return {
    grew: grew(window, p),
    retries,
    ...(noUsefulGain !== undefined ? { noUsefulGain } : {}),
    answeredTrouble: grewAfterTrouble(window, p.trough, trouble),
    answeredLoad: grewAfterTrouble(window, p.trough, { ...trouble, losing: true }),
    ...optional('losing', losingRecently(p.recent, z)),
    ...optional('beyondDemand', beyondDemand(window, p, z, keptUp ?? p.calm)),
    addedInService: inService,
    retriesFalling: retriesFalling(window, p, trouble.shareNoise, z),
    ...optional('capacityHurts', fell === undefined ? undefined : inService && fell),
    ...optional('addedIdle', addedIdle(added)),
    ...optional('addedWasted', addedWasted(added)),
    ...(addedShare !== undefined ? { addedShare } : {}),
    ...optional('retriesRising', retriesRising(p.recent, quiet, trouble.shareNoise, z)),
    retriesStanding: retriesStanding(p.recent, quiet, overSources(retries), { noise: trouble.shareNoise, z }),
  };
}

/**
 * "Do retries keep rising as capacity is added?" — the pooled share of the recent samples is
 * below that of the samples just before them by more than z standard errors (attempt counts and
 * the calm noise of both). A flash crowd's throttled backlog drains this way once it is served.
 */
function retriesFalling(window: readonly Sample[], p: WindowParts, noise: number, z: number): boolean {
  const k = p.recent.length;
  const before = pooled(window.slice(-2 * k, -k));
  const now = pooled(p.recent);
  if (!before || !now) return false;
  const se = Math.sqrt((before.share * (1 - before.share)) / before.n + (now.share * (1 - now.share)) / now.n + (2 * noise ** 2) / k);
  return before.share - now.share > z * se;
}

function pooled(xs: readonly Sample[]): { share: number; n: number } | undefined {
  const parts = (['sqs', 'workers'] as const).flatMap((k) => sourceShare(xs, k) ?? []);
  const n = parts.reduce((a, x) => a + x.total, 0);
  return n > 0 ? { share: parts.reduce((a, x) => a + x.wasted, 0) / n, n } : undefined;
}

/**
 * Added capacity has served at least the newest sample: in-service capacity (desired when
 * in_service is not observed) at the sample before the newest is above the trough's. A counter
 * covers the interval that ends at its sample, so an instance that came in service at the
 * newest sample has not yet shown what it does.
 */
function addedInService(window: readonly Sample[], p: WindowParts): boolean {
  const observed = window.some((s) => s.in_service !== undefined);
  const of = (s: Sample | undefined) => (s === undefined ? undefined : observed ? s.in_service : capacityOf(s));
  const from = observed ? inServiceAtTrough(window, p.trough) : p.trough >= 0 ? capacityOf(window[p.trough]!) : undefined;
  const to = of(window.slice(0, -1).findLast((s) => of(s) !== undefined));
  return from !== undefined && to !== undefined && to > from;
}

function optional<K extends string>(key: K, value: boolean | undefined): Partial<Record<K, boolean>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, boolean>);
}

/**
 * Capacity grew more than demand did: the capacity ratio (now ÷ trough) exceeds the ratio of
 * new messages (recent ÷ the calm's median), by the growth threshold plus the demand's own noise.
 * The calm is the part that kept up (`keptUpPart`, else the whole calm): a crowd that began
 * inside the calm part is new demand, not its level, and its jump is not the calm's noise —
 * counted as noise, it would hide the growth beyond it. Undefined without sqs_sent: then the
 * added capacity must show what it does in service.
 */
function beyondDemand(window: readonly Sample[], p: WindowParts, z: number, calmPart: readonly Sample[]): boolean | undefined {
  const from = p.trough >= 0 ? capacityOf(window[p.trough]!) : undefined;
  const to = capacityOf(window.at(-1)!);
  const calm = calmPart.map((s) => s.sqs_sent).filter((v): v is number => v !== undefined);
  const level = median(calm);
  const now = mean(p.recent.map((s) => s.sqs_sent));
  if (!from || to === undefined || !level || now === undefined) return undefined;
  const cv = (stdev(calm) ?? 0) / level;
  const demand = (now / level) * (1 + (z * cv) / Math.sqrt(p.recent.length));
  return to / from > demand * (1 + MIN_GROWTH);
}

function grew(window: readonly Sample[], p: WindowParts): boolean {
  const from = p.trough >= 0 ? capacityOf(window[p.trough]!) : undefined;
  const to = capacityOf(window.at(-1)!);
  return !!from && to !== undefined && to - from >= 1 && to / from - 1 >= MIN_GROWTH;
}

/** Growth no demand explains: beyond observed demand, or — demand unknown — added capacity in service doing no more work. */
export function unexplainedGrowth(l: Legs): boolean {
  return l.beyondDemand ?? l.addedInService;
}

/** Every recent sample finished fewer messages than arrived; unknown unless every recent sample carries sqs_sent and deletes. */
function losingRecently(recent: readonly Sample[], z: number): boolean | undefined {
  const states = recent.map((s) => losingToDemand(s, z)).filter((x) => x !== undefined);
  return states.length === recent.length ? states.every(Boolean) : undefined;
}

/** Some retry source reads past the budget: all of them (over), or one against another (disputed). */
export function retriesPastBudget(l: Legs): boolean {
  return l.retries.state === 'over' || l.retries.state === 'disputed';
}

/** Less work, more retries: useful work fell as added capacity came into service while retries climbed from their calm level. */
export function lessWorkMoreRetries(l: Legs): boolean {
  return l.capacityHurts === true && l.retriesRising === true;
}

/** The added capacity is wasted whatever the retries read (returns.ts): idle, or less work as it came into service while retries climbed. */
export function addedCapacityWasted(l: Legs): boolean {
  return l.addedIdle === true || lessWorkMoreRetries(l);
}

/**
 * A loop that starts from load: capacity grew beyond the new demand, the added capacity is
 * wasted (loadWasted), and the fleet still finishes fewer messages than arrive — growth that
 * neither demand explains nor does work. A fleet draining a backlog finishes more than arrives.
 */
export function outgrewLoad(l: Legs): boolean {
  return l.beyondDemand === true && loadWasted(l) && l.losing === true && l.answeredLoad;
}

/**
 * The added capacity is wasted: idle, or — while retries are confidently within the budget —
 * returning less than half its share. A downstream that slows as load is added to it refuses
 * nothing: its waste shows no retry, only capacity that returns little. Where retries are past
 * the budget or cannot be told within it, a rate limit may be refusing the added capacity (a
 * flash crowd meeting throttling returns little for a while, then recovers), and the retry legs
 * judge that waste against the budget the user set.
 */
export function loadWasted(l: Legs): boolean {
  return l.addedIdle === true || (l.addedWasted === true && l.retries.state === 'within');
}

function overSources(r: RetryReading): RetrySource[] {
  return r.sources.filter((s) => s.state === 'over').map((s) => s.source);
}
