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
//   (a hold lifted, the ceiling raised), and never above the recorded original. Live counts
//   (`live`: Deployment/StatefulSet replicas) are never raised.
// - A raise above CostGuard's value is Drift; CostGuard's own value above a lowered cap is
//   CeilingLowered, not drift.
// - Once the field is no longer CostGuard's value and is within the cap, the record goes:
//   nothing of CostGuard's change stands, so there is nothing to restore.

import type { Cap } from './caps.ts';

export interface FieldRecord {
  /** The value before CostGuard first changed it; undefined when the field was unset. */
  original: number | undefined;
  /** The value CostGuard last wrote. */
  clamped: number;
}

export type FieldReason = 'AboveCeiling' | 'CeilingLowered' | 'Drift' | 'Unset' | 'Released';

export interface FieldInput {
  /** The field as written; undefined when unset. */
  current: number | undefined;
  /** What an unset field means (HPA maxReplicas: Infinity, KEDA: 100). */
  unsetMeans: number;
  cap: Cap;
  record: FieldRecord | undefined;
  /** A live count (replicas): CostGuard may lower it but never raises it. */
  live: boolean;
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

function stillOurs(input: FieldInput, record: FieldRecord, effective: number): FieldDecision {
  const originalEffective = record.original ?? input.unsetMeans;
  const goal = Math.min(input.cap.value, originalEffective);
  if (goal < effective) return lower(input, 'CeilingLowered', record.original, goal);
  if (goal === effective || input.live) return { record };
  const back = goal === originalEffective;
  return {
    change: { from: input.current, to: back ? record.original : goal, reason: 'Released' },
    record: back ? undefined : { original: record.original, clamped: goal },
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
