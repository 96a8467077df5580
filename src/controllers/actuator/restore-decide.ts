// Pure: what onDelete: Restore does to each field a deleted guard changed. Restore reads the
// record on the target itself (never only status) and follows these rules:
// - A ceiling (MaxSize, maxReplicas, maxReplicaCount, a NodePool limit) goes back to the
//   recorded original only while it still holds CostGuard's value. A value someone changed
//   since (lowered further, or raised) is theirs: it is left, and the event says so.
// - Never above another acting guard's ceiling on the same target: the target goes up to the
//   lowest of the original and the other guards' caps, and keeps its record for them.
// - The value goes where field-decide's release rule (`releaseGoal`) puts it, with the other
//   guards' caps as what still caps it: one rule for a lifted hold and for a deleted guard.
// - A live count (Deployment/StatefulSet spec.replicas) that CostGuard lowered (Shed, a hold)
//   is given back like any other field, only while it still holds CostGuard's value. An Auto
//   Scaling group's MinSize lowered with MaxSize carries its own record and is restored with
//   it (restore-act.ts); DesiredCapacity is never written, so there is nothing to restore.
// - Without a record there is nothing to restore.
import type { PeerCap } from './caps.ts';
import { releaseGoal, type FieldRecord } from './field-decide.ts';

export interface RestoreInput {
  /** "asg/orders", "HorizontalPodAutoscaler/api", "NodePool/default". */
  target: string;
  /** "MaxSize", "spec.maxReplicas", "spec.limits.cpu". */
  field: string;
  /** undefined when the target no longer exists. */
  exists: boolean;
  current: number | undefined;
  unsetMeans: number;
  record: FieldRecord | undefined;
  /** Other acting guards' caps on this target. */
  peers: readonly PeerCap[];
}

export type RecordAfter = { kind: 'remove' } | { kind: 'keep' } | { kind: 'set'; record: FieldRecord; owner: string };

export interface RestoreStep {
  target: string;
  field: string;
  /** Present when the field is written: the value to write (undefined: unset the field). */
  write?: { from: number | undefined; to: number | undefined; why: string };
  /** Why the field was left as it is (when nothing is written). */
  left?: string;
  record: RecordAfter;
}

function lowestPeer(peers: readonly PeerCap[]): PeerCap | undefined {
  return [...peers].sort((a, b) => a.value - b.value || a.guard.localeCompare(b.guard))[0];
}

const show = (v: number | undefined): string => (v === undefined ? 'unset' : String(v));

/** The record is there and the field still holds CostGuard's value (not a live count). */
function putBack(input: RestoreInput, record: FieldRecord, effective: number): Omit<RestoreStep, 'target' | 'field'> {
  const peer = lowestPeer(input.peers);
  const goal = releaseGoal(record, peer?.value ?? Infinity, input.unsetMeans);
  // A restore only ever raises: a peer lower than CostGuard's value lowers it in its own reconcile.
  if (goal.value <= effective) {
    const why = peer && !goal.back ? `guard ${peer.guard} holds it at ${peer.value}` : `already at its original ${show(record.original)}`;
    return { left: why, record: goal.back && !peer ? { kind: 'remove' } : forPeer(peer, record) };
  }
  if (goal.back) return { write: { from: input.current, to: goal.to, why: 'the recorded original' }, record: { kind: 'remove' } };
  return { write: { from: input.current, to: goal.value, why: `guard ${peer!.guard} holds it at ${goal.value}` }, record: forPeer(peer, { original: record.original, clamped: goal.value }) };
}

function forPeer(peer: PeerCap | undefined, record: FieldRecord): RecordAfter {
  return peer ? { kind: 'set', record, owner: peer.guard } : { kind: 'remove' };
}

function restoreStep(input: RestoreInput): Omit<RestoreStep, 'target' | 'field'> {
  const { record } = input;
  if (!input.exists) return { left: 'the target no longer exists', record: { kind: 'keep' } };
  if (!record) return { left: 'no record of an original on the target', record: { kind: 'keep' } };
  const peer = lowestPeer(input.peers);
  const effective = input.current ?? input.unsetMeans;
  if (effective !== record.clamped) {
    return { left: `changed since CostGuard set ${record.clamped} (now ${show(input.current)}): left as it is`, record: peer ? { kind: 'keep' } : { kind: 'remove' } };
  }
  return putBack(input, record, effective);
}

export function decideRestore(input: RestoreInput): RestoreStep {
  return { target: input.target, field: input.field, ...restoreStep(input) };
}

/**
 * onDelete: Keep. The value stays, and it must stay after this guard has gone: a record left
 * behind would let the next guard naming the target "give back" the original this guard chose
 * to keep. So the record goes — unless others still hold the target, and then its original
 * becomes what this guard kept (its own cap), never above the recorded one: the others give
 * back their own part (a brake hold, say) and no more.
 */
export function decideKeep(input: RestoreInput & { ownCap: number }): RestoreStep {
  const { record } = input;
  const base = { target: input.target, field: input.field };
  if (!input.exists) return { ...base, left: 'the target no longer exists', record: { kind: 'keep' } };
  if (!record) return { ...base, left: 'no record of an original on the target', record: { kind: 'keep' } };
  const peer = lowestPeer(input.peers);
  const kept = `kept at ${show(input.current)} (onDelete Keep)`;
  if (!peer) return { ...base, left: `${kept}; nothing of CostGuard's is left to give back`, record: { kind: 'remove' } };
  const original = Math.min(record.original ?? input.unsetMeans, input.ownCap);
  const next: FieldRecord = { original: original === input.unsetMeans ? record.original : original, clamped: record.clamped };
  return { ...base, left: `${kept}; guard ${peer.guard} still holds it, and gives back no more than ${show(next.original)}`, record: { kind: 'set', record: next, owner: peer.guard } };
}

const list = (items: readonly string[], max = 5): string =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

/**
 * One sentence for the Restore event: each value written (field, from, to, why) and each left
 * alone and why. Targets with the same change are grouped so 200 groups still fit an event.
 */
export function describeRestore(steps: readonly RestoreStep[], policy: 'Restore' | 'Keep' = 'Restore'): string {
  const groups = new Map<string, string[]>();
  for (const s of steps) {
    const key = s.write ? `${s.field} ${show(s.write.from)} → ${show(s.write.to)} (${s.write.why})` : `left ${s.field}: ${s.left}`;
    groups.set(key, [...(groups.get(key) ?? []), s.target]);
  }
  const parts = [...groups.entries()].map(([what, targets]) => (what.startsWith('left ') ? `left ${list(targets)} ${what.slice('left '.length)}` : `${list(targets)} ${what}`));
  return parts.length ? `onDelete ${policy}: ${parts.join('; ')}.` : `onDelete ${policy}: nothing of CostGuard's to ${policy === 'Keep' ? 'keep' : 'restore'}.`;
}
