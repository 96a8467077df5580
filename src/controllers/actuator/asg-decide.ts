// Pure decision for one Auto Scaling group: observed values + its effective cap (spec
// ceiling lowered by holds and other guards) + the record on the group + what status kept
// for the rate limit + the clock → the update to make (if any), why, and the next record.
// MaxSize follows decideField (lowered above the cap, raised back only while it is still
// CostGuard's value and never above the original). Only MaxSize (and MinSize when it sits
// above it) is ever sent: lowering MaxSize below DesiredCapacity makes AWS lower DesiredCapacity
// itself, so a concurrent scaling change to DesiredCapacity is never overwritten with an older
// value. The scale-out rate limit is one more cap on MaxSize (the lowest DesiredCapacity of
// the last `per` + N, a sliding window), so the group's own scaling policy never launches
// instances that would then be terminated, and MaxSize follows back up as the window slides.
import type { Cap } from './caps.ts';
import { formatDuration } from '../../api/v1alpha1/duration.ts';
import { decideField, releaseGoal, type FieldReason, type FieldRecord } from './field-decide.ts';

export interface ObservedGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  inService: number;
}

export interface GroupCeiling {
  maxSize: number;
  /** Desired capacity may grow by at most `instances` per `perMs`. */
  maxScaleOut?: { instances: number; perMs: number };
}

/** One point of the rate limit's sliding window: DesiredCapacity observed at a time. */
export interface Sample {
  atMs: number;
  desired: number;
}

/** What the previous reconcile kept in status for the rate limit. */
export interface GroupMemory {
  /**
   * The sliding window's minimum queue: samples with strictly increasing desired, none older
   * than `per`. Its first entry is the lowest DesiredCapacity of the last `per`.
   */
  history?: Sample[];
}

/** Status keeps at most this many samples; older neighbours merge conservatively. */
export const MAX_SAMPLES = 16;

export type ClampReason = FieldReason | 'ScaleOutRateLimited' | 'MinAboveCeiling';

export interface FieldChange {
  field: 'MaxSize' | 'DesiredCapacity' | 'MinSize';
  from: number;
  to: number;
  reason: ClampReason;
}

export interface GroupInput {
  ceiling: GroupCeiling;
  /** The lowest of the spec ceiling, the holds and other guards' ceilings on this group. */
  cap: Cap;
  observed: ObservedGroup;
  /** The record on the group's tags, if any. */
  record?: FieldRecord | undefined;
  /** The MinSize record on the group's tags, if CostGuard lowered MinSize with MaxSize. */
  minRecord?: FieldRecord | undefined;
  memory: GroupMemory;
  /**
   * The recorded value stood on the group at the last reconcile (status saw MaxSize at it): a
   * MaxSize above it now was raised by hand, even when the raise went back to the original.
   */
  stood?: boolean;
  /**
   * The record on the group was written by another guard that still acts on it. Drift on it is
   * that guard's to call: the record goes on the group before the value, so a value above the
   * record may be its write still in flight.
   */
  peerRecord?: boolean;
}

export interface GroupDecision {
  changes: FieldChange[];
  /** The cap that applied: the input cap, or the rate limit's when it is lower. */
  cap: Cap;
  /** Demand sits at or above the cap (or the rate limit) right now. */
  binding: boolean;
  memory: GroupMemory;
  /** The record the group should carry once the changes are made. */
  record: FieldRecord | undefined;
  /** The MinSize record the group should carry once the changes are made. */
  minRecord: FieldRecord | undefined;
}

/**
 * The window after adding the current sample: expired samples dropped, later samples not
 * lower than the new one dropped (they can never be the minimum again). Over the size limit,
 * the two oldest merge into (lower value, later time): that claims the low value for longer,
 * which is stricter, never looser.
 */
export function slide(history: readonly Sample[], now: Sample, perMs: number): Sample[] {
  const kept = history.filter((s) => now.atMs - s.atMs < perMs && s.desired < now.desired);
  const next = [...kept, now];
  while (next.length > MAX_SAMPLES) {
    const [a, b] = next.splice(0, 2) as [Sample, Sample];
    next.unshift({ atMs: b.atMs, desired: Math.min(a.desired, b.desired) });
  }
  return next;
}

/** The MaxSize the rate limit allows now: the window's lowest desired + N (never below MinSize). */
function rateCap(ceiling: GroupCeiling, observed: ObservedGroup, history: readonly Sample[]): Cap | undefined {
  const limit = ceiling.maxScaleOut;
  if (!limit || history.length === 0) return undefined;
  const value = Math.max(history[0]!.desired + limit.instances, observed.minSize);
  return { value, by: 'rate', why: `maxScaleOut ${limit.instances} per ${formatDuration(limit.perMs)}` };
}

function maxSizeChanges(input: GroupInput, cap: Cap): { changes: FieldChange[]; record: FieldRecord | undefined } {
  const { observed } = input;
  const d = decideField({ current: observed.maxSize, unsetMeans: Infinity, cap, record: input.record });
  if (!d.change || d.change.to === undefined) return { changes: [], record: d.record };
  // decideField reads MaxSize back at the original as "our write never landed"; when status saw
  // CostGuard's value standing, it did land, and this is someone raising it by hand.
  const raisedBack = d.change.reason === 'AboveCeiling' && input.stood === true && input.record !== undefined && observed.maxSize > input.record.clamped;
  const drift = raisedBack || d.change.reason === 'Drift';
  // Lowered all the same, as over the cap; the guard that owns the record reports the drift.
  const decided = drift ? (input.peerRecord === true ? 'AboveCeiling' : 'Drift') : d.change.reason;
  const lowered = decided === 'AboveCeiling' || decided === 'CeilingLowered';
  const reason = cap.by === 'rate' && lowered ? 'ScaleOutRateLimited' : decided;
  return { changes: [{ field: 'MaxSize', from: observed.maxSize, to: d.change.to, reason }], record: d.record };
}

/**
 * MinSize follows MaxSize. AWS rejects MaxSize below MinSize, so an over-cap minimum comes down
 * with it, its original recorded; while MinSize still holds CostGuard's value it goes back up
 * by the release rule as MaxSize rises (never above its original, never above MaxSize). A
 * MinSize someone changed since is theirs: the record goes.
 */
export function minSizeChange(observed: ObservedGroup, maxAfter: number, minRecord: FieldRecord | undefined): { change?: FieldChange; record: FieldRecord | undefined } {
  if (observed.minSize > maxAfter) {
    const record = { original: minRecord && observed.minSize === minRecord.clamped ? minRecord.original : observed.minSize, clamped: maxAfter };
    return { change: { field: 'MinSize', from: observed.minSize, to: maxAfter, reason: 'MinAboveCeiling' }, record };
  }
  if (!minRecord || observed.minSize !== minRecord.clamped) return { record: undefined };
  const goal = releaseGoal(minRecord, maxAfter, 0);
  if (goal.value <= observed.minSize) return { record: minRecord };
  return { change: { field: 'MinSize', from: observed.minSize, to: goal.value, reason: 'Released' }, record: goal.back ? undefined : { original: minRecord.original, clamped: goal.value } };
}

export interface DecideContext {
  nowMs: number;
  /** False in DryRun or while paused: the changes are reported, and nothing is recorded. */
  act: boolean;
  /** Not acting because the guard is paused (messages say Paused, not DryRun). */
  paused?: boolean;
}

export function decideGroup(input: GroupInput, ctx: DecideContext): GroupDecision {
  const { observed, ceiling } = input;
  const history = ceiling.maxScaleOut ? slide(input.memory.history ?? [], { atMs: ctx.nowMs, desired: observed.desiredCapacity }, ceiling.maxScaleOut.perMs) : undefined;
  const rate = history ? rateCap(ceiling, observed, history) : undefined;
  const cap = rate && rate.value < input.cap.value ? rate : input.cap;
  const max = maxSizeChanges(input, cap);
  const maxAfter = max.changes.find((c) => c.field === 'MaxSize')?.to ?? observed.maxSize;
  const min = minSizeChange(observed, maxAfter, input.minRecord);
  return {
    changes: min.change ? [...max.changes, min.change] : max.changes,
    cap,
    // Demand sits at the cap: the group wants (or has) as much as it may have now.
    binding: observed.desiredCapacity >= cap.value,
    memory: history ? { history } : {},
    record: ctx.act ? max.record : input.record,
    minRecord: ctx.act ? min.record : input.minRecord,
  };
}
