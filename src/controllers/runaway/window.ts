// The parts of one window the detector compares: the calm baseline up to the capacity trough,
// the recent samples, and which samples were "in trouble" (retries past budget, useful
// throughput below its calm level, or a backlog growing at the calm demand, each beyond the
// window's own noise). Pure.
import type { Sample } from '../../signals/sample.ts';
import { capacityOf, median, retryShareOf, sampleShares, stdev, throughputOf } from './series.ts';

export interface WindowParts {
  /** Index of the last sample (before the newest) with the window's lowest capacity above zero; -1 without one. */
  trough: number;
  /** Samples up to and including the trough: what "before the growth" looked like. */
  calm: Sample[];
  recent: Sample[];
}

export function partsOf(window: readonly Sample[], recentCount: number): WindowParts {
  const trough = troughIndex(window);
  // Samples at zero capacity are not part of the calm either: nothing ran, so nothing was normal.
  const calm = window.slice(0, trough + 1).filter((s) => capacityOf(s) !== 0);
  return { trough, calm, recent: window.slice(-recentCount) };
}

/**
 * Capacity in service before the growth: at the trough, or where the trough's sample has a gap
 * in it, the last observed before it. A gap is not "none in service"; an earlier value is the
 * fleet before the growth too (capacity was never lower than the trough's since), and if
 * anything larger, which only makes the growth read smaller. Undefined when none is observed.
 */
export function inServiceAtTrough(window: readonly Sample[], trough: number): number | undefined {
  for (let i = Math.min(trough, window.length - 1); i >= 0; i--) {
    const n = window[i]!.in_service;
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * The last sample (before the newest) with the window's lowest capacity above zero. A fleet
 * scaled to zero served nothing and counted no retries: it says nothing of what the fleet does,
 * and growth from it is the first capacity, not growth of a running fleet. Without this, a
 * scale-from-zero group (KEDA, a group with MinSize 0) would hide any loop while the zero is
 * still in the window.
 */
function troughIndex(window: readonly Sample[]): number {
  let best = -1;
  let low = Infinity;
  window.slice(0, -1).forEach((s, i) => {
    const c = capacityOf(s);
    if (c !== undefined && c > 0 && c <= low) {
      low = c;
      best = i;
    }
  });
  return best;
}

/**
 * The calm samples a noise estimate may use: without the run of samples at its end whose retry
 * share is past the budget. The calm part ends where capacity starts to grow, and in a loop the
 * trouble begins a few samples earlier (target tracking answers it); counted as noise, that
 * onset would hide itself. Falls back to the whole calm part when too little would be left.
 */
export function quietPart(calm: readonly Sample[], budget: number, minSamples: number): Sample[] {
  const end = endBeforeRun(calm, (s) => (retryShareOf(s) ?? 0) > budget);
  return end >= minSamples ? calm.slice(0, end) : [...calm];
}

/** Where the run of samples at the end of `calm` for which `inRun` holds begins (calm.length without one). */
function endBeforeRun(calm: readonly Sample[], inRun: (s: Sample) => boolean): number {
  let end = calm.length;
  while (end > 0 && inRun(calm[end - 1]!)) end--;
  return end;
}

/**
 * The calm samples that show a fleet keeping up with its load, for "has it fallen behind since":
 * without the run of samples at its end that finished fewer messages than arrived (beyond a
 * count's noise). When the window has slid past the calm into a crowd, the crowd is most of the
 * calm part; judged against it, the crowd's own backlog would read as a fleet fallen behind.
 * Undefined when fewer than `minSamples` are left: no calm to judge falling behind against.
 */
export function keptUpPart(calm: readonly Sample[], z: number, minSamples: number): Sample[] | undefined {
  const end = endBeforeRun(calm, (s) => losingToDemand(s, z) === true);
  return end >= minSamples ? calm.slice(0, end) : undefined;
}

/** Median and relative spread (coefficient of variation) of useful throughput in the calm samples. */
export function calmThroughput(calm: readonly Sample[]): { level: number; cv: number } | undefined {
  const xs = calm.map(throughputOf).filter((v): v is number => v !== undefined);
  const level = median(xs);
  if (level === undefined || level <= 0) return undefined;
  return { level, cv: (stdev(xs) ?? 0) / level };
}

/** Per-sample spread of the pooled retry share in the calm samples (0 when too few to tell). */
export function calmShareNoise(calm: readonly Sample[]): number {
  const xs = [...sampleShares(calm, 'sqs'), ...sampleShares(calm, 'workers')];
  return stdev(xs) ?? 0;
}

export interface TroubleTest {
  budget: number;
  z: number;
  throughput?: { level: number; cv: number };
  shareNoise: number;
  /** The calm's queue depth and new messages (calmBacklog); without them no sample counts as fallen behind. */
  backlog?: CalmBacklog;
  /** Count a sample that finished fewer messages than arrived (beyond a count's noise) as trouble. */
  losing?: boolean;
}

/** The sample finished fewer messages than arrived, beyond z counts' noise; undefined without both. */
export function losingToDemand(s: Sample, z: number): boolean | undefined {
  const [sent, done] = [s.sqs_sent, throughputOf(s)];
  if (sent === undefined || done === undefined) return undefined;
  return sent - done > z * Math.sqrt(sent + done);
}

/**
 * A count's calm level (median) and spread: the sample-to-sample spread (successiveSpread, so a
 * crowd or a backlog that began inside the calm does not widen it), never below a count's own
 * (√level, at least 1).
 */
export interface CalmCount {
  level: number;
  spread: number;
}

export function calmCount(calm: readonly Sample[], pick: (s: Sample) => number | undefined): CalmCount | undefined {
  const xs = calm.map(pick).filter((v): v is number => v !== undefined);
  const level = median(xs);
  if (level === undefined) return undefined;
  return { level, spread: Math.max(successiveSpread(xs) ?? 0, Math.sqrt(Math.max(level, 1))) };
}

/** The count is above its calm level by more than z of the calm's spread. */
export function aboveCalm(x: number, calm: CalmCount, z: number): boolean {
  return x > calm.level + z * calm.spread;
}

/** The calm's queue depth (sqs_visible) and new messages (sqs_sent); undefined unless both are observed. */
export interface CalmBacklog {
  depth: CalmCount;
  demand: CalmCount;
}

export function calmBacklog(calm: readonly Sample[]): CalmBacklog | undefined {
  const depth = calmCount(calm, (s) => s.sqs_visible);
  const demand = calmCount(calm, (s) => s.sqs_sent);
  return depth && demand ? { depth, demand } : undefined;
}

/**
 * The fleet is falling behind a load it kept up with: a backlog above the calm's depth and not
 * draining (no shallower than the sample before, beyond a count's noise) while new messages
 * arrive at no more than their calm rate (each beyond z of the calm's spread). The fleet got
 * slower, which is what target tracking on backlog or CPU answers. A backlog that more demand
 * explains (a flash crowd) is not this: the crowd is the cause, not the fleet; nor is one left
 * over from it and draining. Undefined when the sample carries no depth or no demand.
 */
export function fellBehind(s: Sample, before: Sample | undefined, b: CalmBacklog, z: number): boolean | undefined {
  if (s.sqs_visible === undefined || s.sqs_sent === undefined) return undefined;
  return !draining(s.sqs_visible, before?.sqs_visible, z) && aboveCalm(s.sqs_visible, b.depth, z) && !aboveCalm(s.sqs_sent, b.demand, z);
}

/**
 * The depth fell from the sample before by more than z of that count's own noise (√depth). Not
 * the calm's spread: a calm that caught the start of a crowd has a wide one, and a backlog left
 * over from the crowd would then read as held, not draining.
 */
function draining(depth: number, before: number | undefined, z: number): boolean {
  return before !== undefined && before - depth > z * Math.sqrt(Math.max(before, 1));
}

/** True/false when the sample shows trouble or not; undefined when it carries neither signal. */
export function inTrouble(s: Sample, t: TroubleTest, before?: Sample): boolean | undefined {
  const share = retryShareOf(s);
  const tp = throughputOf(s);
  const retries = share === undefined ? undefined : share - t.z * t.shareNoise > t.budget;
  const slow = tp === undefined || !t.throughput ? undefined : tp < t.throughput.level * (1 - t.z * t.throughput.cv);
  const losing = t.losing ? losingToDemand(s, t.z) : undefined;
  const behind = t.backlog ? fellBehind(s, before, t.backlog, t.z) : undefined;
  const signals = [retries, slow, losing, behind];
  if (signals.every((x) => x === undefined)) return undefined;
  return signals.some((x) => x === true);
}

/**
 * An instance counts in service one to a few minutes after the autoscaler decided to launch it
 * (EC2 launch, boot, lifecycle hooks); a sample may show it up to one interval later still.
 * Without `desired`, a rise of in-service capacity answers trouble only if the trouble began at
 * least this long before it; otherwise the decision may predate the trouble.
 */
export const LAUNCH_LEAD_SECONDS = 120;

/**
 * Did capacity grow in answer to trouble? True when some rise in capacity after the trough came
 * while the fleet was in trouble (the latest sample before it that carries a signal was), and —
 * when the rise is only seen in service — the trouble had begun LAUNCH_LEAD_SECONDS before. A
 * group raised before any trouble (a scheduled action, a hand-made change) does not count.
 */
export function grewAfterTrouble(window: readonly Sample[], trough: number, t: TroubleTest): boolean {
  let last: number | undefined;
  let troubleSince: number | undefined;
  for (let i = 0; i < window.length; i++) {
    const s = window[i]!;
    const cap = capacityOf(s);
    if (i > trough && cap !== undefined && last !== undefined && cap > last && answers(s, troubleSince)) return true;
    if (cap !== undefined) last = cap;
    const now = inTrouble(s, t, window[i - 1]);
    if (now === false) troubleSince = undefined;
    else if (now === true) troubleSince ??= s.t;
  }
  return false;
}

function answers(rise: Sample, troubleSince: number | undefined): boolean {
  if (troubleSince === undefined) return false;
  return rise.desired !== undefined || rise.t - troubleSince >= LAUNCH_LEAD_SECONDS;
}

/** Scale of the median absolute deviation of a normal distribution: MAD / this = its standard deviation. */
const MAD_PER_SD = 0.6745;

/**
 * Relative sample-to-sample noise of useful throughput in the calm: the spread of successive
 * differences (median absolute, as a standard deviation, over √2), divided by the level. Unlike
 * the plain spread it is not inflated by a change of level inside the calm (an earlier outage,
 * a step in traffic); undefined with fewer than three values.
 */
export function throughputNoise(calm: readonly Sample[]): number | undefined {
  const xs = calm.map(throughputOf).filter((v): v is number => v !== undefined);
  const level = median(xs);
  const spread = successiveSpread(xs);
  return spread === undefined || !level ? undefined : spread / level;
}

/**
 * The standard deviation of a series' sample-to-sample noise: the median absolute successive
 * difference, as a standard deviation, over √2. A change of level inside the series (an outage,
 * a step in traffic) is one difference among many and does not inflate it; undefined with
 * fewer than three values.
 */
export function successiveSpread(xs: readonly number[]): number | undefined {
  if (xs.length < 3) return undefined;
  const diffs = xs.slice(1).map((x, i) => Math.abs(x - xs[i]!));
  return median(diffs)! / MAD_PER_SD / Math.SQRT2;
}
