// Pure: one integer ceiling field (an Auto Scaling group's MaxSize, a workload's replica
// ceiling) against its effective cap and the record CostGuard keeps on the target itself.
//
// The record says what the field was before CostGuard first changed it (`original`, absent
// when the field was unset) and what CostGuard last wrote (`clamped`). It is written on the
// target before (or with) the value, so a crash between the two never loses the original.
//
// Invariants (table-tested):
// - A value is lowered only when it is above the cap.
// - A value is raised only while it is still CostGuard's own value and the cap has moved up
//   (a hold lifted, the ceiling raised), and never above the recorded original: what
//   CostGuard lowers, CostGuard gives back (`releaseGoal`, the one release rule, shared with
//   onDelete Restore). Live counts (Deployment/StatefulSet spec.replicas that Shed or a hold
//   lowered) are given back the same way, and only while they still hold CostGuard's value,
//   so a count someone (or an autoscaler) changed since is never touched.
// - A raise above CostGuard's value is Drift; CostGuard's own value above a lowered cap is
//   CeilingLowered, not drift.
// - Once the field is no longer CostGuard's value and is within the cap, the record goes:
//   nothing of CostGuard's change stands, so there is nothing to restore.

import type { Cap } from './caps.ts';
import type { FieldRecord } from '../targets/kinds.ts';

export type { FieldRecord } from '../targets/kinds.ts';

export type FieldReason = 'AboveCeiling' | 'CeilingLowered' | 'Drift' | 'Unset' | 'Released';

export interface FieldInput {
  /** The field as written; undefined when unset. */
  current: number | undefined;
  /** What an unset field means (HPA maxReplicas: Infinity, KEDA: 100). */
  unsetMeans: number;
  cap: Cap;
  record: FieldRecord | undefined;
}

export interface FieldDecision {
  /** The write to make; `to` undefined means "unset the field" (a release to an unset original). */
  change?: { from: number | undefined; to: number | undefined; reason: FieldReason };
  /** The record the target should carry after this decision (undefined: none). */
  record: FieldRecord | undefined;
}

function lower(input: FieldInput, reason: FieldReason, original: number | undefined, to = input.cap.value): FieldDecision {
  return { change: { from: input.current, to, reason }, record: { original, clamped: to } };
}

/** The field is no longer CostGuard's value: someone raised it, lowered it, or our write never landed. */
function notOurs(input: FieldInput, record: FieldRecord, effective: number): FieldDecision {
  if (effective <= input.cap.value) return { record: undefined };
  // Back at the original means our write never landed (or was undone wholesale): not a raise over our value.
  const reason: FieldReason = effective > record.clamped && input.current !== record.original ? 'Drift' : 'AboveCeiling';
  return lower(input, reason, record.original);
}

/** Where a field that still holds CostGuard's value goes when what caps it is `capValue`. */
export interface ReleaseGoal {
  /** The effective value: the lower of the cap and the original. */
  value: number;
  /** The value to write (undefined: unset, back to an unset original). */
  to: number | undefined;
  /** The original is reached: nothing of CostGuard's change is left, the record goes. */
  back: boolean;
}

/**
 * The one release rule, for a lifted hold, a raised ceiling and onDelete Restore alike: up to
 * the lower of what still caps the field and the recorded original, never above the original.
 */
export function releaseGoal(record: FieldRecord, capValue: number, unsetMeans: number): ReleaseGoal {
  const originalEffective = record.original ?? unsetMeans;
  const value = Math.min(capValue, originalEffective);
  const back = value === originalEffective;
  return { value, to: back ? record.original : value, back };
}

function stillOurs(input: FieldInput, record: FieldRecord, effective: number): FieldDecision {
  const goal = releaseGoal(record, input.cap.value, input.unsetMeans);
  if (goal.value < effective) return lower(input, 'CeilingLowered', record.original, goal.value);
  if (goal.value === effective) return { record };
  return {
    change: { from: input.current, to: goal.to, reason: 'Released' },
    record: goal.back ? undefined : { original: record.original, clamped: goal.value },
  };
}

export function decideField(input: FieldInput): FieldDecision {
  const effective = input.current ?? input.unsetMeans;
  const { record } = input;
  if (record && effective === record.clamped && input.current !== undefined) return stillOurs(input, record, effective);
  if (record) return notOurs(input, record, effective);
  if (effective <= input.cap.value) return { record: undefined };
  return lower(input, input.current === undefined ? 'Unset' : 'AboveCeiling', input.current);
}
