// Capacity as every concern sees it: the same observation of a guard's targets the actuator
// plans from (Auto Scaling groups through the shared snapshot, workloads and NodePools from the
// API server), reduced to what runs and what caps it. The runaway detector samples it and the
// brake freezes from it, so neither reads another concern's status, and a sample is as fresh
// as the actuator's view.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import { observeCeilings, type ObserveDeps } from './observe.ts';
import type { ObservedCeilings } from './observed.ts';
import type { Quantities, WorkloadKind } from './kinds.ts';
import { applyTenancy, OPEN_POLICY, type TenancyPolicy } from './tenancy.ts';

export interface GroupCapacity {
  name: string;
  maxSize: number;
  desired: number;
  inService?: number;
}

export interface WorkloadCapacity {
  kind: WorkloadKind;
  name: string;
  /** Replicas running now; undefined when the target does not report them. */
  replicas?: number;
  /** The ceiling field as written (spec.replicas, maxReplicas, maxReplicaCount). */
  maxReplicas?: number;
  /** The guard's spec ceiling for it. */
  ceiling: number;
}

export interface PoolCapacity {
  name: string;
  limits: Quantities;
  usage: Quantities;
}

export interface CapacityView {
  scalingGroups: GroupCapacity[];
  workloads: WorkloadCapacity[];
  nodePools: PoolCapacity[];
}

/** Pure: the capacity of what was observed; a group matched by several entries counts once. */
export function capacityView(observed: ObservedCeilings): CapacityView {
  const groups = new Map<string, GroupCapacity>();
  for (const g of observed.groups.flatMap((e) => e.found)) groups.set(g.name, { name: g.name, maxSize: g.maxSize, desired: g.desiredCapacity, inService: g.inService });
  const workloads = observed.workloads.flatMap((w) => {
    const f = w.found;
    if (!f) return [];
    return [{ kind: f.kind, name: f.name, ceiling: w.spec.maxReplicas, ...(f.replicas !== undefined ? { replicas: f.replicas } : {}), ...(f.value !== undefined ? { maxReplicas: f.value } : {}) }];
  });
  const nodePools = observed.nodePools.flatMap((p) => (p.found ? [{ name: p.found.name, limits: p.found.limits, usage: p.found.usage }] : []));
  return { scalingGroups: [...groups.values()].sort((a, b) => a.name.localeCompare(b.name)), workloads, nodePools };
}

export interface CapacityDeps extends ObserveDeps {
  defaultRegion: string;
  tenancy?: TenancyPolicy;
  awsTargetOf(guard: CostGuard): AwsTarget;
}

/** I/O: the guard's permitted targets observed now, no older than `maxAgeMs` for groups. */
export async function observeCapacity(deps: CapacityDeps, guard: CostGuard, maxAgeMs: number): Promise<CapacityView> {
  const permitted = { ...guard, spec: applyTenancy(guard, deps.tenancy ?? OPEN_POLICY).spec };
  return capacityView(await observeCeilings(deps, permitted, deps.awsTargetOf(permitted), maxAgeMs));
}
