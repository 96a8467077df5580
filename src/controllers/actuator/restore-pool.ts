// Pure: what onDelete Restore writes on one NodePool, limit by limit, from the record in its
// annotations: each limit by the one release rule (restore-decide.ts) with the remaining
// guards' limits, written back in the quantity form it had (the original's own text, or the
// peer's), and the record that stays (passed to a remaining guard) or goes.
import type { NodePoolRecord, NodePoolResource } from '../targets/kinds.ts';
import { NODEPOOL_RESOURCES } from '../targets/kinds.ts';
import type { PeerCeiling } from '../targets/observed.ts';
import { quantity } from '../targets/quantity.ts';
import { clearAnnotations, NODEPOOL_KEYS, OWNER_KEY, writeNodePoolRecord } from '../targets/records.ts';
import { decideRestore, type RestoreStep } from './restore-decide.ts';

function poolStep(resource: NodePoolResource, current: string | number | undefined, entry: NonNullable<NodePoolRecord[NodePoolResource]>, ctx: { target: string; peers: readonly PeerCeiling[] }): RestoreStep {
  const peers = ctx.peers.flatMap((p) => {
    const value = p.target === ctx.target ? quantity(p.limits?.[resource]) : undefined;
    return value === undefined ? [] : [{ guard: p.guard, value }];
  });
  const record = { original: quantity(entry.original), clamped: quantity(entry.clamped) ?? NaN };
  return decideRestore({ target: ctx.target, field: `spec.limits.${resource}`, exists: true, current: quantity(current), unsetMeans: Infinity, record, peers });
}

/** The limit as written for a restore step's value: the original's own text, or the peer's. */
function rawLimit(to: number | undefined, entry: NonNullable<NodePoolRecord[NodePoolResource]>, peerLimits: readonly PeerCeiling[], resource: NodePoolResource): string | number | null {
  if (to === undefined) return null;
  if (quantity(entry.original) === to) return entry.original!;
  return peerLimits.map((p) => p.limits?.[resource]).find((l) => quantity(l) === to) ?? to;
}

export interface PoolPlan {
  steps: RestoreStep[];
  writes: Record<string, string | number | null>;
  kept: NodePoolRecord;
  owner?: string;
}

export function planPool(record: NodePoolRecord, limits: Record<string, string | number | undefined>, ctx: { target: string; peers: readonly PeerCeiling[] }): PoolPlan {
  const plan: PoolPlan = { steps: [], writes: {}, kept: {} };
  for (const resource of NODEPOOL_RESOURCES) {
    const entry = record[resource];
    if (!entry) continue;
    const step = poolStep(resource, limits[resource], entry, ctx);
    plan.steps.push(step);
    if (step.write) plan.writes[resource] = rawLimit(step.write.to, entry, ctx.peers, resource);
    if (step.record.kind === 'keep') plan.kept[resource] = entry;
    if (step.record.kind !== 'set') continue;
    plan.kept[resource] = { original: entry.original, clamped: rawLimit(step.record.record.clamped, entry, ctx.peers, resource) ?? step.record.record.clamped };
    plan.owner = step.record.owner;
  }
  return plan;
}

export function poolBody(obj: { metadata?: { resourceVersion?: string; annotations?: Record<string, string> } }, plan: PoolPlan): Record<string, unknown> {
  const owner = plan.owner ?? obj.metadata?.annotations?.[OWNER_KEY] ?? '';
  const annotations = Object.keys(plan.kept).length ? writeNodePoolRecord(plan.kept, owner) : clearAnnotations(NODEPOOL_KEYS);
  const spec = Object.keys(plan.writes).length ? { spec: { limits: plan.writes } } : {};
  return { metadata: { resourceVersion: obj.metadata?.resourceVersion, annotations }, ...spec };
}

