// Pure: who holds a target's record, and what that means for this guard.
//
// - A guard holds a target while its own cap (its spec ceiling and its own holds, not its
//   peers') is below the recorded original: it names itself on the target with that cap, and
//   takes its name off when it no longer needs the target lowered, or leaves (onDelete).
// - A holder this operator sees acting (a peer in its informer) binds through its live cap,
//   like any peer. A holder it cannot see act — another cluster's guard, one in a namespace
//   it does not watch, a paused or DryRun guard — binds through the cap it wrote: no guard
//   releases what another still holds, and the original comes back only after the last
//   holder has left.
// - A holder of this cluster whose guard is gone (deleted without its finalizer), or acts but
//   no longer names the target, holds nothing: its name is taken off, so a stale claim never
//   pins a target forever.
import type { PeerCap } from './caps.ts';
import type { FieldRecord } from './field-decide.ts';
import { holderKey, holderValue, type Holder } from '../targets/records.ts';

/** What this operator knows of one of its own cluster's guards, by UID. */
export type LocalGuard = 'acting' | 'idle' | 'gone';

/** This guard's identity on records, and what its operator can see of other holders. */
export interface Holding {
  /** The cluster id (operator flag, or derived from the kube-system namespace). */
  cluster: string;
  /** This guard's UID. */
  uid: string;
  /** "<namespace>/<name>" of this guard. */
  guard: string;
  /** Undefined: a guard of this cluster the operator cannot judge (a namespace it does not watch). */
  local(uid: string, guard: string): LocalGuard | undefined;
}

export interface HolderChanges {
  /** Keys to write (with the record, before the value). */
  set: Record<string, string>;
  /** Keys to remove (after the value). */
  remove: string[];
}

export const NO_HOLDER_CHANGES: HolderChanges = { set: {}, remove: [] };

function isSelf(h: Holder, holding: Holding): boolean {
  return h.cluster === holding.cluster && h.uid === holding.uid;
}

/** How a holder binds this guard: through its recorded cap, or not at all here (self, a live peer, gone). */
function bindsByRecord(h: Holder, holding: Holding): boolean {
  if (isSelf(h, holding)) return false;
  if (h.cluster !== holding.cluster) return true;
  const seen = holding.local(h.uid, h.guard);
  return seen === undefined || seen === 'idle';
}

/** The holders that bind through the cap they recorded, as peers ("team-a/orders in cluster eu-1"). */
export function recordedHolderCaps(holders: readonly Holder[], holding: Holding | undefined): PeerCap[] {
  if (!holding) return [];
  return holders.flatMap((h) => {
    if (h.cap === undefined || !bindsByRecord(h, holding)) return [];
    const where = h.cluster === holding.cluster ? '' : ` in cluster ${h.cluster}`;
    return [{ guard: `${h.guard}${where}`, value: h.cap }];
  });
}

export interface HolderInput {
  holders: readonly Holder[];
  holding: Holding | undefined;
  /** The record the target carries after this decision (undefined: none). */
  record: FieldRecord | undefined;
  /** This guard's own cap: its spec ceiling and its holds, without peers. */
  ownCap: number;
  /** What an unset original means (Infinity for a group's MaxSize). */
  unsetMeans: number;
  /** "<namespace>/<name>" of the acting guards of this cluster that name the target (its peers). */
  livePeers: readonly string[];
}

/** A name of this cluster's that holds nothing any more: its guard is gone, or acts without naming the target. */
function isStale(h: Holder, holding: Holding, livePeers: readonly string[]): boolean {
  if (h.cluster !== holding.cluster || isSelf(h, holding)) return false;
  const seen = holding.local(h.uid, h.guard);
  return seen === 'gone' || (seen === 'acting' && !livePeers.includes(h.guard));
}

/** The holder keys to write and remove so the target names exactly who holds it. */
export function decideHolders(input: HolderInput): HolderChanges {
  const { holders, holding } = input;
  if (!holding) return NO_HOLDER_CHANGES;
  // No record left: nothing of CostGuard's stands on the target, so no one holds it.
  if (!input.record) return { set: {}, remove: holders.map((h) => h.key) };
  const stale = holders.filter((h) => isStale(h, holding, input.livePeers)).map((h) => h.key);
  const mine = holders.find((h) => isSelf(h, holding));
  const holds = input.ownCap < (input.record.original ?? input.unsetMeans);
  if (!holds) return { set: {}, remove: [...stale, ...(mine ? [mine.key] : [])] };
  const value = holderValue(input.ownCap, holding.guard);
  const current = mine ? holderValue(mine.cap ?? -1, mine.guard) : undefined;
  return { set: current === value ? {} : { [holderKey(holding.cluster, holding.uid)]: value }, remove: stale };
}

/** Leaving (onDelete): this guard's name comes off; so do stale names of its own cluster. */
export function leaveHolders(holders: readonly Holder[], holding: Holding | undefined, livePeers: readonly string[]): string[] {
  if (!holding) return [];
  return holders.filter((h) => isSelf(h, holding) || isStale(h, holding, livePeers)).map((h) => h.key);
}

export function hasHolderChanges(c: HolderChanges): boolean {
  return Object.keys(c.set).length > 0 || c.remove.length > 0;
}
