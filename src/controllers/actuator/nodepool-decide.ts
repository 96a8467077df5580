// Pure decision for a Karpenter NodePool: each ceiling in spec.limits (cpu, memory, nodes)
// must be set and at or below CostGuard's. An absent limit means "unlimited", so it is set.
import type { DecideContext } from './asg-decide.ts';
import { quantity } from '../targets/quantity.ts';
import type { Cap } from './caps.ts';
import { decideField, type FieldReason } from './field-decide.ts';
import { NODEPOOL_RESOURCES, type NodePoolRecord, type NodePoolResource, type ObservedNodePool, type Quantities } from '../targets/kinds.ts';

export { NODEPOOL_RESOURCES, type NodePoolResource, type ObservedNodePool, type Quantities } from '../targets/kinds.ts';



export interface LimitChange {
  resource: NodePoolResource;
  from: string | number | undefined;
  /** undefined: remove the limit (a release to an original that was absent). */
  to: string | number | undefined;
  reason: FieldReason;
  cap: Cap;
}

/** Caps on one NodePool besides the spec: holds (by owner) and other guards' ceilings. */
export interface NodePoolCaps {
  holds: readonly { by: string; why?: string; limits: Quantities }[];
  peers: readonly { guard: string; limits: Quantities }[];
}

export interface NodePoolDecision {
  changes: LimitChange[];
  binding: boolean;
  /** The record the NodePool should carry after the changes. */
  record: NodePoolRecord | undefined;
}

export { quantity } from '../targets/quantity.ts';

/** The lowest limit for one resource, with its written form. */
function capFor(resource: NodePoolResource, spec: Quantities, caps: NodePoolCaps): { cap: Cap; raw: string | number | undefined } {
  let best: { cap: Cap; raw: string | number | undefined } = { cap: { value: quantity(spec[resource]) ?? Infinity, by: 'spec' }, raw: spec[resource] };
  const consider = (raw: string | number | undefined, by: string, why?: string): void => {
    const value = quantity(raw);
    if (value !== undefined && value < best.cap.value) best = { cap: { value, by, ...(why ? { why } : {}) }, raw };
  };
  for (const h of caps.holds) consider(h.limits[resource], h.by, h.why);
  for (const p of caps.peers) consider(p.limits[resource], `guard ${p.guard}`, `its limit is ${String(p.limits[resource])}`);
  return best;
}

type Entry = NonNullable<NodePoolRecord[NodePoolResource]>;

function decideResource(resource: NodePoolResource, observed: ObservedNodePool, c: { cap: Cap; raw: string | number | undefined }): { change?: LimitChange; entry?: Entry } {
  const current = observed.limits[resource];
  const before = observed.record?.[resource];
  const record = before ? { original: quantity(before.original), clamped: quantity(before.clamped) ?? NaN } : undefined;
  const d = decideField({ current: quantity(current), unsetMeans: Infinity, cap: c.cap, record });
  const original = before ? before.original : current;
  // Numbers back to the quantities as written: the cap's own text, or the recorded original.
  const raw = (n: number | undefined): string | number | undefined => {
    if (n === undefined) return undefined;
    if (n === c.cap.value) return c.raw;
    return before && n === record?.clamped ? before.clamped : original;
  };
  const entry = d.record ? { original, clamped: raw(d.record.clamped) ?? d.record.clamped } : undefined;
  if (!d.change) return entry ? { entry } : {};
  const to = d.change.to === undefined ? undefined : raw(d.change.to);
  return { change: { resource, from: current, to, reason: d.change.reason, cap: c.cap }, ...(entry ? { entry } : {}) };
}

/**
 * The limits CostGuard may write on this pool. Karpenter refuses any limit but `nodes` on a
 * static pool (spec.replicas set): sending cpu or memory there would lose the whole patch,
 * the valid `nodes` clamp with it.
 */
export function applicableResources(observed: Pick<ObservedNodePool, 'static'>): readonly NodePoolResource[] {
  return observed.static ? ['nodes'] : NODEPOOL_RESOURCES;
}

/** The spec's ceilings that cannot apply to this pool (cpu, memory on a static pool). */
export function inapplicableCeilings(spec: Quantities, observed: Pick<ObservedNodePool, 'static'>): NodePoolResource[] {
  const applicable = applicableResources(observed);
  return NODEPOOL_RESOURCES.filter((r) => spec[r] !== undefined && !applicable.includes(r));
}

export function decideNodePool(spec: Quantities, observed: ObservedNodePool, caps: NodePoolCaps, ctx: DecideContext): NodePoolDecision {
  const changes: LimitChange[] = [];
  const record: NodePoolRecord = {};
  let binding = false;
  for (const resource of applicableResources(observed)) {
    if (spec[resource] === undefined && !observed.record?.[resource]) continue;
    const c = capFor(resource, spec, caps);
    const d = decideResource(resource, observed, c);
    if (d.change) changes.push(d.change);
    if (d.entry) record[resource] = d.entry;
    binding ||= (quantity(observed.usage[resource]) ?? 0) >= c.cap.value;
  }
  const next = Object.keys(record).length ? record : undefined;
  return { changes, binding, record: ctx.act ? next : observed.record };
}
