// Where the worker library's metrics are: the ready pods of the guard's worker workload
// (spec.concurrency.workload, else its first Deployment or StatefulSet), found by the
// workload's label selector, on spec.runaway.signals.workers' port and path.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import type { WorkerTargets } from '../../signals/workers.ts';

interface Workload {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
}

interface Pod {
  metadata?: { name?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export function workerWorkloadOf(guard: CostGuard): { kind: 'Deployment' | 'StatefulSet'; name: string } | undefined {
  const named = guard.spec.concurrency?.workload;
  if (named) return named;
  const w = (guard.spec.workloads ?? []).find((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet');
  return w ? { kind: w.kind as 'Deployment' | 'StatefulSet', name: w.name } : undefined;
}

export function kubeWorkerTargets(rest: RestClient, guard: CostGuard): WorkerTargets | undefined {
  const workload = workerWorkloadOf(guard);
  const signals = guard.spec.runaway?.signals.workers;
  if (!workload || !signals) return undefined;
  const namespace = guard.metadata.namespace ?? '';
  const resource = workload.kind === 'Deployment' ? Resources.deployments : Resources.statefulSets;
  return {
    endpoints: async () => {
      const w = await rest.get<Workload>(objectPath(resource, namespace, workload.name));
      const labels = w.spec?.selector?.matchLabels ?? {};
      const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
      if (!labelSelector) throw new Error(`${workload.kind}/${workload.name} has no matchLabels selector`);
      const pods = await rest.get<{ items: Pod[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { query: { labelSelector } });
      return pods.items.filter(ready).map((p) => ({ pod: p.metadata?.name ?? '', url: `http://${hostOf(p.status!.podIP!)}:${signals.metricsPort}${signals.path}` }));
    },
  };
}

function ready(p: Pod): boolean {
  return p.status?.phase === 'Running' && Boolean(p.status.podIP) && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function hostOf(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
