// The concurrency workload: its replica count and pod selector, read from the API server when
// a reconcile needs them. The workload informers hold metadata only (they just wake guards), so
// the body comes from a GET, always current.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { isNotFound } from '../../runtime/errors.ts';
import type { KubeObject } from '../../runtime/keys.ts';
import { objectPath, Resources } from '../../runtime/kube/resource.ts';
import type { RestClient } from '../../runtime/kube/rest.ts';

export type ConcurrencyWorkloadKind = 'Deployment' | 'StatefulSet';

export interface Workload extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The workload whose pods run the workers: spec.concurrency.workload, else the first Deployment or StatefulSet in spec.workloads. */
export function workerWorkloadRef(guard: CostGuard): { kind: ConcurrencyWorkloadKind; name: string } | undefined {
  if (guard.spec.concurrency) return guard.spec.concurrency.workload;
  const w = guard.spec.workloads?.find((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet');
  return w ? { kind: w.kind as ConcurrencyWorkloadKind, name: w.name } : undefined;
}

/** The workload, or undefined when it does not exist. */
export async function getWorkload(rest: RestClient, namespace: string, ref: { kind: ConcurrencyWorkloadKind; name: string }, signal?: AbortSignal): Promise<Workload | undefined> {
  const resource = ref.kind === 'Deployment' ? Resources.deployments : Resources.statefulSets;
  try {
    return await rest.get<Workload>(objectPath(resource, namespace, ref.name), signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The replicas the fleet cap is shared by: the larger of the desired (spec.replicas) and the
 * running (status.replicas) count. Scaling out, the new pods are counted before they start, so
 * the fleet never overshoots while they come up; scaling in (or mid rolling update, with surge
 * pods), the pods still running keep counting until they are gone.
 */
export function workloadReplicas(w: Workload): number {
  return Math.max(w.spec?.replicas ?? 1, w.status?.replicas ?? 0);
}

/** A label selector as the API's labelSelector query parameter, or undefined if it selects nothing expressible. */
export function selectorQuery(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else return undefined;
  }
  // An empty selector would match every pod in the namespace: never scrape on that.
  return parts.length ? parts.join(',') : undefined;
}
