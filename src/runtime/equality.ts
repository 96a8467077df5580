// Semantic equality and merge-patch diffs for status writes. Equality follows JSON (an
// undefined field equals a missing one) and treats list-maps keyed by `type` (conditions)
// as unordered, so a reordered but identical status is not a change worth a write.

type Json = unknown;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function isTypeKeyedList(a: unknown[]): boolean {
  return a.length > 0 && a.every((e) => isPlainObject(e) && typeof e.type === 'string');
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

function arraysEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  if (isTypeKeyedList(a) && isTypeKeyedList(b)) {
    const typeOf = (e: unknown): string => (e as { type: string }).type;
    const byType = new Map(b.map((e) => [typeOf(e), e]));
    // Duplicate types make the list ambiguous as a map: fall back to ordered comparison.
    if (byType.size === b.length && new Set(a.map(typeOf)).size === a.length) return a.every((e) => deepEqual(e, byType.get(typeOf(e))));
  }
  return a.every((e, i) => deepEqual(e, b[i]));
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = definedKeys(a);
  if (ka.length !== definedKeys(b).length) return false;
  return ka.every((k) => deepEqual(a[k], b[k]));
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return toTime(a) === toTime(b);
  if (Array.isArray(a) && Array.isArray(b)) return arraysEqual(a, b);
  if (isPlainObject(a) && isPlainObject(b)) return objectsEqual(a, b);
  return false;
}

function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') return Date.parse(v);
  return undefined;
}

/**
 * An RFC 7386 JSON merge patch that turns `from` into `to`: removed fields become null,
 * nested objects are diffed, arrays and scalars are replaced whole. Empty when equal.
 */
export function mergePatchDiff(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const k of definedKeys(from)) if (to[k] === undefined) patch[k] = null;
  for (const k of definedKeys(to)) {
    const before = from[k];
    const after = to[k];
    if (isPlainObject(before) && isPlainObject(after)) {
      const sub = mergePatchDiff(before, after);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!deepEqual(before, after)) {
      patch[k] = after;
    }
  }
  return patch;
}
