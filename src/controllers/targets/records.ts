// Pure: the record CostGuard keeps on each target it changes, so the original survives a
// crash, a failed status write, a target leaving the spec, or a tag selector that stops
// matching. Auto Scaling groups carry it as tags, workloads and NodePools as annotations:
//
//   costguard.io/original-max-size  MaxSize before CostGuard first lowered it      (ASG)
//   costguard.io/clamped-max-size   the MaxSize CostGuard last wrote               (ASG)
//   costguard.io/clamped-at         when CostGuard last wrote MaxSize (RFC 3339)   (ASG)
//   costguard.io/original-min-size  MinSize before CostGuard lowered it with MaxSize (ASG)
//   costguard.io/clamped-min-size   the MinSize CostGuard last wrote                (ASG)
//   costguard.io/original-ceiling   the replica ceiling field before ("unset" if it was)
//   costguard.io/clamped-ceiling    the value CostGuard last wrote                 (workloads)
//   costguard.io/original-limits    JSON: each limit CostGuard changed, as it was (null: absent)
//   costguard.io/clamped-limits     JSON: the values CostGuard last wrote          (NodePools)
//   costguard.io/owner              <namespace>/<name> of the guard that last wrote
//
// status keeps a readable copy; restore reads the target's own record.
import type { FieldRecord, NodePoolRecord, NodePoolResource } from './kinds.ts';

export const OWNER_KEY = 'costguard.io/owner';
export const ASG_KEYS = { original: 'costguard.io/original-max-size', clamped: 'costguard.io/clamped-max-size' } as const;
/**
 * AWS refuses MaxSize below MinSize, so a cap below the group's minimum lowers MinSize too.
 * That is CostGuard's change as much as MaxSize is: recorded the same way, given back the same way.
 */
export const ASG_MIN_KEYS = { original: 'costguard.io/original-min-size', clamped: 'costguard.io/clamped-min-size' } as const;
export const WORKLOAD_KEYS = { original: 'costguard.io/original-ceiling', clamped: 'costguard.io/clamped-ceiling' } as const;
export const NODEPOOL_KEYS = { original: 'costguard.io/original-limits', clamped: 'costguard.io/clamped-limits' } as const;
const UNSET = 'unset';

/**
 * When CostGuard last wrote MaxSize. On the group, not only in status: another controller's
 * status write can win a conflict, and a drift message must still say when CostGuard set it.
 */
export const ASG_CLAMPED_AT_KEY = 'costguard.io/clamped-at';

/** Every key the MaxSize record uses on an Auto Scaling group (what DeleteTags removes). */
export const ASG_RECORD_KEYS: readonly string[] = [ASG_KEYS.original, ASG_KEYS.clamped, ASG_CLAMPED_AT_KEY, OWNER_KEY];
/** The MinSize record's keys. */
export const ASG_MIN_RECORD_KEYS: readonly string[] = [ASG_MIN_KEYS.original, ASG_MIN_KEYS.clamped];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The MaxSize CostGuard last wrote and when, from the group's tags; undefined without a readable record. */
export function readMaxSizeWrite(tags: Readonly<Record<string, string>> | undefined): { value: number; time?: string } | undefined {
  const record = readFieldRecord(tags, ASG_KEYS);
  if (!record) return undefined;
  const time = tags?.[ASG_CLAMPED_AT_KEY];
  return { value: record.clamped, ...(time !== undefined && RFC3339.test(time) ? { time } : {}) };
}

const count = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
};

/** The integer record in tags or annotations; undefined when absent or unreadable. */
export function readFieldRecord(source: Readonly<Record<string, string>> | undefined, keys: { original: string; clamped: string }): FieldRecord | undefined {
  const clamped = count(source?.[keys.clamped]);
  const raw = source?.[keys.original];
  if (clamped === undefined || raw === undefined) return undefined;
  if (raw === UNSET) return { original: undefined, clamped };
  const original = count(raw);
  return original === undefined ? undefined : { original, clamped };
}

/** The tags or annotations that carry `record`, owned by `owner`. */
export function writeFieldRecord(record: FieldRecord, keys: { original: string; clamped: string }, owner: string): Record<string, string> {
  return { [keys.original]: record.original === undefined ? UNSET : String(record.original), [keys.clamped]: String(record.clamped), [OWNER_KEY]: owner };
}

export type { NodePoolRecord } from './kinds.ts';

type Limit = string | number;

function parseJson(text: string | undefined): Record<string, Limit | null> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Limit | null>) : undefined;
  } catch {
    return undefined;
  }
}

export function readNodePoolRecord(annotations: Readonly<Record<string, string>> | undefined): NodePoolRecord | undefined {
  const original = parseJson(annotations?.[NODEPOOL_KEYS.original]);
  const clamped = parseJson(annotations?.[NODEPOOL_KEYS.clamped]);
  if (!original || !clamped) return undefined;
  const record: NodePoolRecord = {};
  for (const [resource, value] of Object.entries(clamped)) {
    if (value === null || !(resource in original)) continue;
    record[resource as NodePoolResource] = { original: original[resource] ?? undefined, clamped: value };
  }
  return Object.keys(record).length ? record : undefined;
}

export function writeNodePoolRecord(record: NodePoolRecord, owner: string): Record<string, string> {
  const entries = Object.entries(record);
  const original = Object.fromEntries(entries.map(([k, v]) => [k, v.original ?? null]));
  const clamped = Object.fromEntries(entries.map(([k, v]) => [k, v.clamped]));
  return { [NODEPOOL_KEYS.original]: JSON.stringify(original), [NODEPOOL_KEYS.clamped]: JSON.stringify(clamped), [OWNER_KEY]: owner };
}

/** Annotations to remove a record in a merge patch. */
export function clearAnnotations(keys: { original: string; clamped: string }): Record<string, null> {
  return { [keys.original]: null, [keys.clamped]: null, [OWNER_KEY]: null };
}

/** The guard's name as written in the owner key. */
export function ownerOf(guard: { metadata: { namespace?: string; name?: string } }): string {
  return `${guard.metadata.namespace ?? ''}/${guard.metadata.name ?? ''}`;
}

// Who holds a record. Each guard that holds a target below its original names itself in a key
// of its own, so two guards (in one cluster or in two) never overwrite each other's claim:
//
//   holder.costguard.io/<cluster>.<guard UID>   "<its cap> <namespace>/<name>"
//
// The cluster id tells two clusters guarding one account apart; the cap lets a guard that
// cannot see the holder (another cluster, a namespace it does not watch, a paused guard) keep
// the target no higher than the holder asked. A record without holder keys predates them.
export const HOLDER_PREFIX = 'holder.costguard.io/';

export interface Holder {
  key: string;
  cluster: string;
  uid: string;
  /** The holder's own cap when it last wrote; undefined when unreadable. */
  cap: number | undefined;
  /** "<namespace>/<name>" as the holder wrote it (attribution only: identity is the UID). */
  guard: string;
}

export function holderKey(cluster: string, uid: string): string {
  return `${HOLDER_PREFIX}${cluster}.${uid}`;
}

export function holderValue(cap: number, guard: string): string {
  return `${cap} ${guard}`;
}

/** The holders named on a target's tags or annotations, in key order. */
export function readHolders(source: Readonly<Record<string, string>> | undefined): Holder[] {
  return Object.entries(source ?? {})
    .filter(([key]) => key.startsWith(HOLDER_PREFIX))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([key, value]) => {
      const id = /^([a-z0-9-]{1,26})\.([0-9a-f-]{1,36})$/.exec(key.slice(HOLDER_PREFIX.length));
      if (!id) return [];
      const parsed = /^(\d{1,9}) (\S*)$/.exec(value);
      return [{ key, cluster: id[1]!, uid: id[2]!, cap: parsed ? Number(parsed[1]) : undefined, guard: parsed?.[2] ?? value }];
    });
}
