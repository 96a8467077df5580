// Pure decision for one Auto Scaling group: observed values + ceiling + what we recorded last
// time + the clock → the update to make (if any), why, and the status entry. Never raises a
// value; touches nothing that is within its ceiling.

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

/** What the previous reconcile recorded for this group (from status). */
export interface GroupMemory {
  /** MaxSize before CostGuard first clamped it. */
  originalMaxSize?: number;
  /** DesiredCapacity as last observed (after our own clamps), the rate limit's baseline. */
  lastDesired?: number;
  scaleOutWindow?: { startMs: number; baseline: number };
}

export type ClampReason = 'AboveCeiling' | 'Drift' | 'ScaleOutRateLimited' | 'MinAboveCeiling';

export interface FieldChange {
  field: 'MaxSize' | 'DesiredCapacity' | 'MinSize';
  from: number;
  to: number;
  reason: ClampReason;
}

export interface GroupDecision {
  changes: FieldChange[];
  /** Demand is held back right now: at or above the ceiling, or at the rate limit's cap for the window. */
  binding: boolean;
  memory: GroupMemory;
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

/** The most DesiredCapacity may be in the current window; Infinity without a rate limit. */
function rateCapOf(ceiling: GroupCeiling, window: GroupMemory['scaleOutWindow']): number {
  return window && ceiling.maxScaleOut ? window.baseline + ceiling.maxScaleOut.instances : Infinity;
}

function desiredTarget(ceiling: GroupCeiling, observed: ObservedGroup, window: GroupMemory['scaleOutWindow']): { to: number; reason: ClampReason } | undefined {
  const cap = Math.min(ceiling.maxSize, rateCapOf(ceiling, window));
  if (observed.desiredCapacity <= cap) return undefined;
  const to = Math.max(cap, Math.min(observed.minSize, ceiling.maxSize));
  if (to >= observed.desiredCapacity) return undefined;
  return { to, reason: cap < ceiling.maxSize ? 'ScaleOutRateLimited' : 'AboveCeiling' };
}

function maxSizeChanges(ceiling: GroupCeiling, observed: ObservedGroup, memory: GroupMemory): FieldChange[] {
  if (observed.maxSize <= ceiling.maxSize) return [];
  const reason: ClampReason = memory.originalMaxSize !== undefined ? 'Drift' : 'AboveCeiling';
  const changes: FieldChange[] = [{ field: 'MaxSize', from: observed.maxSize, to: ceiling.maxSize, reason }];
  // AWS rejects MaxSize below MinSize, so an over-ceiling minimum comes down with it.
  if (observed.minSize > ceiling.maxSize) {
    changes.push({ field: 'MinSize', from: observed.minSize, to: ceiling.maxSize, reason: 'MinAboveCeiling' });
  }
  return changes;
}

export interface DecideContext {
  nowMs: number;
  /** False in DryRun or while paused: the changes are reported, and memory records none of them. */
  act: boolean;
  /** Not acting because the guard is paused (messages say Paused, not DryRun). */
  paused?: boolean;
}

export function decideGroup(ceiling: GroupCeiling, observed: ObservedGroup, memory: GroupMemory, ctx: DecideContext): GroupDecision {
  const changes = maxSizeChanges(ceiling, observed, memory);
  const window = scaleOutWindow(ceiling, observed, memory, ctx.nowMs);
  const desired = desiredTarget(ceiling, observed, window);
  if (desired) changes.push({ field: 'DesiredCapacity', from: observed.desiredCapacity, to: desired.to, reason: desired.reason });
  const clampsMax = ctx.act && changes.some((c) => c.field === 'MaxSize');
  const originalMaxSize = memory.originalMaxSize ?? (clampsMax ? observed.maxSize : undefined);
  const desiredAfter = ctx.act && desired ? desired.to : observed.desiredCapacity;
  return {
    changes,
    binding: desired !== undefined || observed.desiredCapacity >= Math.min(ceiling.maxSize, rateCapOf(ceiling, window)),
    memory: { originalMaxSize, lastDesired: desiredAfter, scaleOutWindow: window },
  };
}
