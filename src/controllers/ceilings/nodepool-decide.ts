// Pure decision for a Karpenter NodePool: each ceiling in spec.limits (cpu, memory, nodes)
// must be set and at or below CostGuard's. An absent limit means "unlimited", so it is set.
// Not re-exported by the package index; the util module is part of its published dist.
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';
import type { DecideContext } from './asg-decide.ts';

export const NODEPOOL_RESOURCES = ['cpu', 'memory', 'nodes'] as const;
export type NodePoolResource = (typeof NODEPOOL_RESOURCES)[number];
/** Kubernetes quantities as written: "400", "1600Gi", or a bare number. */
export type Quantities = Partial<Record<NodePoolResource, string | number>>;

export interface ObservedNodePool {
  name: string;
  limits: Quantities;
  usage: Quantities;
}

export interface NodePoolMemory {
  originalLimits?: Quantities;
}

export interface LimitChange {
  resource: NodePoolResource;
  from: string | number | undefined;
  to: string | number;
  reason: 'AboveCeiling' | 'Drift' | 'Unlimited';
}

export interface NodePoolDecision {
  changes: LimitChange[];
  binding: boolean;
  memory: NodePoolMemory;
}

export function quantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return Number(quantityToScalar(String(value)));
}

function limitChange(resource: NodePoolResource, ceiling: string | number, observed: ObservedNodePool, drifted: boolean): LimitChange | undefined {
  const current = observed.limits[resource];
  const currentValue = quantity(current);
  if (currentValue !== undefined && currentValue <= (quantity(ceiling) ?? Infinity)) return undefined;
  const reason = current === undefined ? 'Unlimited' : drifted ? 'Drift' : 'AboveCeiling';
  return { resource, from: current, to: ceiling, reason };
}

export function decideNodePool(ceiling: Quantities, observed: ObservedNodePool, memory: NodePoolMemory, ctx: DecideContext): NodePoolDecision {
  const drifted = memory.originalLimits !== undefined;
  const changes: LimitChange[] = [];
  let binding = false;
  for (const resource of NODEPOOL_RESOURCES) {
    const cap = ceiling[resource];
    if (cap === undefined) continue;
    const change = limitChange(resource, cap, observed, drifted);
    if (change) changes.push(change);
    binding ||= (quantity(observed.usage[resource]) ?? 0) >= (quantity(cap) ?? Infinity);
  }
  const recordOriginals = ctx.act && changes.length > 0 && !drifted;
  return { changes, binding, memory: recordOriginals ? { originalLimits: { ...observed.limits } } : memory };
}
