// Capacity columns from the shared observation of a guard's targets (controllers/targets):
// Auto Scaling groups when the guard names any (desired and in-service summed), else the
// running replicas of its Deployments and StatefulSets. Pure.
import type { SignalValues } from './source.ts';

export interface CapacityInput {
  scalingGroups?: readonly { desired: number; inService?: number | undefined }[];
  workloads?: readonly { kind: string; replicas?: number | undefined }[];
}

export function capacityOf(view: CapacityInput): SignalValues {
  const groups = view.scalingGroups ?? [];
  if (groups.length) {
    const inService = groups.every((g) => g.inService !== undefined) ? groups.reduce((a, g) => a + (g.inService ?? 0), 0) : undefined;
    return { desired: groups.reduce((a, g) => a + g.desired, 0), ...(inService !== undefined ? { in_service: inService } : {}) };
  }
  const pods = (view.workloads ?? []).filter((w) => (w.kind === 'Deployment' || w.kind === 'StatefulSet') && w.replicas !== undefined);
  if (!pods.length) return {};
  const replicas = pods.reduce((a, w) => a + (w.replicas ?? 0), 0);
  return { desired: replicas, in_service: replicas };
}
