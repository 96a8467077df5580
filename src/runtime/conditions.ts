// metav1.Condition helpers, pure with the time passed in:
// - lastTransitionTime moves only when status flips (so "since when" stays true),
// - observedGeneration is stamped on every write (so readers know the condition is current),
// - a root Ready is derived from the dependents, as Karpenter's and Knative's ConditionSets do.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  /** A human sentence. */
  message: string;
  /** RFC 3339, seconds precision, as metav1.Time serializes. */
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
}

export interface Stamp {
  /** The current time (epoch ms or Date); take it from the injected clock. */
  now: number | Date;
  /** metadata.generation of the object being reconciled. */
  generation?: number;
}

export function formatTime(now: number | Date): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/** Returns a new list with the condition set; the input is not modified. */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, stamp: Stamp): Condition[] {
  const list = conditions ?? [];
  const existing = getCondition(list, input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message ?? '',
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : formatTime(stamp.now),
    ...(stamp.generation !== undefined ? { observedGeneration: stamp.generation } : {}),
  };
  if (!existing) return [...list, next];
  return list.map((c) => (c.type === input.type ? next : c));
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export interface ReadyDependents {
  /** Conditions that must be True for Ready (e.g. CeilingsEnforced). */
  positive: readonly string[];
  /** Conditions that must not be True for Ready (e.g. Degraded). Missing counts as not True. */
  negative: readonly string[];
  /** The root type; default "Ready". */
  rootType?: string;
  /**
   * Conditions that do not block Ready but whose Unknown Ready names: the guard works, and it
   * cannot see everything (RunawaySuspected Unknown while a signal fails). Ready never says
   * "All checks pass" over them.
   */
  unknownNamed?: readonly string[];
}

/** The first of `unknownNamed` that is Unknown now. */
function unknownNamed(conditions: readonly Condition[], deps: ReadyDependents): Condition | undefined {
  return (deps.unknownNamed ?? []).map((t) => getCondition(conditions, t)).find((c) => c?.status === 'Unknown');
}

function blocker(conditions: readonly Condition[], deps: ReadyDependents): Condition | undefined {
  const negative = deps.negative.map((t) => getCondition(conditions, t)).find((c) => c?.status === 'True');
  return negative ?? deps.positive.map((t) => getCondition(conditions, t)).find((c) => c?.status === 'False');
}

function unknownDependent(conditions: readonly Condition[], deps: ReadyDependents): string | undefined {
  const positive = deps.positive.find((t) => getCondition(conditions, t)?.status !== 'True');
  return positive ?? deps.negative.find((t) => getCondition(conditions, t)?.status === 'Unknown');
}

/** The root condition implied by the dependents (without setting it). */
export function computeReady(conditions: readonly Condition[] | undefined, deps: ReadyDependents): ConditionInput {
  const type = deps.rootType ?? 'Ready';
  const list = conditions ?? [];
  const blocking = blocker(list, deps);
  if (blocking) {
    return { type, status: 'False', reason: blocking.reason, message: `${blocking.type}: ${blocking.message}`.replace(/: $/, '') };
  }
  const pending = unknownDependent(list, deps);
  if (pending) return { type, status: 'Unknown', reason: 'Reconciling', message: `Waiting for ${pending} to be determined.` };
  const blind = unknownNamed(list, deps);
  if (blind) return { type, status: 'True', reason: 'PartlyUnknown', message: `Working, but ${blind.type} is Unknown: ${blind.message}`.slice(0, 1024) };
  return { type, status: 'True', reason: 'Ready', message: 'All checks pass.' };
}

/** Sets the root Ready condition from the dependents. */
export function deriveReady(conditions: readonly Condition[] | undefined, deps: ReadyDependents, stamp: Stamp): Condition[] {
  return setCondition(conditions, computeReady(conditions, deps), stamp);
}
