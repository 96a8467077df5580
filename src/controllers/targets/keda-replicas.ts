// I/O: where KEDA's targets keep their replica count. A ScaledObject reports none itself (no
// status.replicas, no HPA conditions): KEDA creates an HPA for it (status.hpaName, by default
// keda-hpa-<name>) and that HPA holds the current replicas and the "wants more" signal. A
// ScaledJob runs Jobs labelled scaledjob.keda.sh/name=<name>; the unfinished ones are its
// replicas (KEDA counts them the same way against maxReplicaCount).
import { isNotFound } from '../../runtime/errors.ts';
import { collectionPath, objectPath, Resources } from '../../runtime/kube/resource.ts';
import type { KubeList, RestClient } from '../../runtime/kube/rest.ts';

interface Hpa {
  status?: { currentReplicas?: number; conditions?: { type?: string; status?: string; reason?: string }[] };
}

interface Job {
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** The label KEDA puts on every Job a ScaledJob starts. */
export const SCALEDJOB_LABEL = 'scaledjob.keda.sh/name';

export interface Replicas {
  /** undefined: not known (the HPA does not exist yet). */
  replicas?: number;
  wantsMore: boolean;
}

/** The HPA's own signal that it wants more than its max (ScalingLimited/TooManyReplicas). */
export function wantsMore(status: { conditions?: unknown } | undefined): boolean {
  const conditions = (status?.conditions ?? []) as { type?: string; status?: string; reason?: string }[];
  return conditions.some((c) => c.type === 'ScalingLimited' && c.status === 'True' && c.reason === 'TooManyReplicas');
}

/** The name of the HPA KEDA made for a ScaledObject. */
export function kedaHpaName(name: string, status: Record<string, unknown> | undefined): string {
  const named = status?.hpaName;
  return typeof named === 'string' && named !== '' ? named : `keda-hpa-${name}`;
}

/** A ScaledObject's replicas, read from its HPA; unknown when that HPA does not exist (yet). */
export async function scaledObjectReplicas(rest: RestClient, namespace: string, hpaName: string): Promise<Replicas> {
  try {
    const hpa = await rest.get<Hpa>(objectPath(Resources.horizontalPodAutoscalers, namespace, hpaName));
    const current = hpa.status?.currentReplicas;
    return { ...(typeof current === 'number' ? { replicas: current } : {}), wantsMore: wantsMore(hpa.status) };
  } catch (err) {
    if (isNotFound(err)) return { wantsMore: false };
    throw err;
  }
}

/** A Job is finished once Complete or Failed is True. */
function finished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** A ScaledJob's replicas: its Jobs that have not finished. */
export async function scaledJobReplicas(rest: RestClient, namespace: string, name: string): Promise<Replicas> {
  const jobs = await rest.get<KubeList<Job>>(collectionPath(Resources.jobs, namespace), { query: { labelSelector: `${SCALEDJOB_LABEL}=${name}` } });
  return { replicas: jobs.items.filter((j) => !finished(j)).length, wantsMore: false };
}
