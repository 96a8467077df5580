// Capacity from what the ceilings controller already observed (status.scalingGroups and
// status.workloads): no extra AWS or API calls. Auto Scaling groups when the guard names any
// (desired and in-service summed), else the replicas of its Deployments and StatefulSets.
import type { CostGuard } from '../api/v1alpha1/index.ts';
import type { SignalSource, SignalValues } from './source.ts';

export function capacitySource(current: () => CostGuard | undefined): SignalSource {
  return {
    name: 'capacity',
    read: () => {
      const guard = current();
      if (!guard) return Promise.reject(new Error('the guard is gone'));
      return Promise.resolve(capacityOf(guard));
    },
  };
}

export function capacityOf(guard: CostGuard): SignalValues {
  const groups = guard.status?.scalingGroups ?? [];
  if (groups.length) {
    const inService = groups.every((g) => g.inService !== undefined) ? groups.reduce((a, g) => a + (g.inService ?? 0), 0) : undefined;
    return { desired: groups.reduce((a, g) => a + g.desired, 0), ...(inService !== undefined ? { in_service: inService } : {}) };
  }
  const pods = (guard.status?.workloads ?? []).filter((w) => (w.kind === 'Deployment' || w.kind === 'StatefulSet') && w.replicas !== undefined);
  if (!pods.length) return {};
  const replicas = pods.reduce((a, w) => a + (w.replicas ?? 0), 0);
  return { desired: replicas, in_service: replicas };
}
