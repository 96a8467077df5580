// Pure decision for one Auto Scaling group: observed values + its effective cap (spec
// ceiling lowered by holds and other guards) + the record on the group + what status kept
// for the rate limit + the clock → the update to make (if any), why, and the next record.
// MaxSize follows decideField (lowered above the cap, raised back only while it is still
// CostGuard's value and never above the original). Only the fields being changed are sent:
// lowering MaxSize below DesiredCapacity makes AWS lower DesiredCapacity itself, so a
// concurrent scaling change to DesiredCapacity is never overwritten with an older value.
import type { Cap } from './caps.ts';
import { decideField, type FieldReason, type FieldRecord } from './field-decide.ts';

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

/** What the previous reconcile kept in status for the rate limit. */
export interface GroupMemory {
  /** DesiredCapacity as last observed (after our own clamps), the rate limit's baseline. */
  lastDesired?: number;
  scaleOutWindow?: { startMs: number; baseline: number };
}

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
  memory: GroupMemory;
}

export interface GroupDecision {
  changes: FieldChange[];
  /** Demand sits at or above the cap (or the rate limit) right now. */
  binding: boolean;
  memory: GroupMemory;
  /** The record the group should carry once the changes are made. */
  record: FieldRecord | undefined;
}

function scaleOutWindow(ceiling: GroupCeiling, observed: ObservedGroup, memory: GroupMemory, nowMs: number): GroupMemory['scaleOutWindow'] {
  const limit = ceiling.maxScaleOut;
  if (!limit) return undefined;
  const current = memory.scaleOutWindow;
  if (current && nowMs - current.startMs < limit.perMs) return current;
  // A new period starts from what we saw last time, not from a jump that happened since.
  const baseline = Math.min(memory.lastDesired ?? observed.desiredCapacity, observed.desiredCapacity);
  return { startMs: nowMs, baseline };
}

function rateLimitedDesired(ceiling: GroupCeiling, observed: ObservedGroup, window: GroupMemory['scaleOutWindow'], maxAfter: number): FieldChange | undefined {
  if (!window || !ceiling.maxScaleOut) return undefined;
  const rateCap = window.baseline + ceiling.maxScaleOut.instances;
  if (rateCap >= maxAfter || observed.desiredCapacity <= rateCap) return undefined;
  const to = Math.max(rateCap, Math.min(observed.minSize, maxAfter));
  return to < observed.desiredCapacity ? { field: 'DesiredCapacity', from: observed.desiredCapacity, to, reason: 'ScaleOutRateLimited' } : undefined;
}

function maxSizeChanges(input: GroupInput): { changes: FieldChange[]; record: FieldRecord | undefined } {
  const { observed } = input;
  const d = decideField({ current: observed.maxSize, unsetMeans: Infinity, cap: input.cap, record: input.record, live: false });
  if (!d.change || d.change.to === undefined) return { changes: [], record: d.record };
  const changes: FieldChange[] = [{ field: 'MaxSize', from: observed.maxSize, to: d.change.to, reason: d.change.reason }];
  // AWS rejects MaxSize below MinSize, so an over-ceiling minimum comes down with it.
  if (observed.minSize > d.change.to) changes.push({ field: 'MinSize', from: observed.minSize, to: d.change.to, reason: 'MinAboveCeiling' });
  return { changes, record: d.record };
}

export interface DecideContext {
  nowMs: number;
  /** False in DryRun or while paused: the changes are reported, and nothing is recorded. */
  act: boolean;
}

export function decideGroup(input: GroupInput, ctx: DecideContext): GroupDecision {
  const { observed } = input;
  const { changes, record } = maxSizeChanges(input);
  const maxAfter = changes.find((c) => c.field === 'MaxSize')?.to ?? observed.maxSize;
  const window = scaleOutWindow(input.ceiling, observed, input.memory, ctx.nowMs);
  const desired = rateLimitedDesired(input.ceiling, observed, window, maxAfter);
  if (desired) changes.push(desired);
  const desiredAfter = ctx.act ? Math.min(desired?.to ?? observed.desiredCapacity, maxAfter) : observed.desiredCapacity;
  return {
    changes,
    binding: desired !== undefined || observed.desiredCapacity >= input.cap.value,
    memory: { lastDesired: desiredAfter, scaleOutWindow: window },
    record: ctx.act ? record : input.record,
  };
}
