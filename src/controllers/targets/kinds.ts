// What a target is, as observed: the kinds of workload CostGuard caps and which field carries
// their ceiling, the NodePool resources, and the record CostGuard keeps on a target. Types and
// constants only, shared by the observation (this room), the actuator and the concerns.

/** The record on a target: the value before CostGuard first changed it, and what it last wrote. */
export interface FieldRecord {
  /** The value before CostGuard first changed it; undefined when the field was unset. */
  original: number | undefined;
  /** The value CostGuard last wrote. */
  clamped: number;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'HorizontalPodAutoscaler' | 'ScaledObject' | 'ScaledJob';

/** The field each kind's ceiling applies to, and its value when unset. */
export const REPLICA_FIELD: Record<WorkloadKind, { path: string; unsetMeans: number }> = {
  Deployment: { path: 'spec.replicas', unsetMeans: 1 },
  StatefulSet: { path: 'spec.replicas', unsetMeans: 1 },
  HorizontalPodAutoscaler: { path: 'spec.maxReplicas', unsetMeans: Infinity },
  // KEDA defaults maxReplicaCount to 100 when it is left out.
  ScaledObject: { path: 'spec.maxReplicaCount', unsetMeans: 100 },
  // A ScaledJob's maxReplicaCount caps the Jobs running at once; KEDA's default is 100 too.
  ScaledJob: { path: 'spec.maxReplicaCount', unsetMeans: 100 },
};

/** The field's key under `spec` ("replicas", "maxReplicas", "maxReplicaCount"). */
export function specKey(kind: WorkloadKind): string {
  return REPLICA_FIELD[kind].path.slice('spec.'.length);
}

export interface ObservedWorkload {
  kind: WorkloadKind;
  name: string;
  /** The ceiling field as written; undefined when unset. */
  value: number | undefined;
  /** Replicas running now (a ScaledObject: its HPA's; a ScaledJob: its unfinished Jobs). */
  replicas?: number;
  /** A ScaledObject's spec.minReplicaCount: KEDA refuses a maxReplicaCount below it. */
  minReplicas?: number;
  /** The autoscaler wants more than its max (HPA condition ScalingLimited/TooManyReplicas). */
  wantsMore?: boolean;
  /** The record in the workload's annotations, if any. */
  record?: FieldRecord | undefined;
}

export const NODEPOOL_RESOURCES = ['cpu', 'memory', 'nodes'] as const;
export type NodePoolResource = (typeof NODEPOOL_RESOURCES)[number];
/** Kubernetes quantities as written: "400", "1600Gi", or a bare number. */
export type Quantities = Partial<Record<NodePoolResource, string | number>>;

/** Per limit CostGuard changed: the original (undefined: the limit was absent) and what it wrote. */
export type NodePoolRecord = Partial<Record<NodePoolResource, { original: string | number | undefined; clamped: string | number }>>;

export interface ObservedNodePool {
  name: string;
  /** spec.replicas is set: Karpenter accepts only limits.nodes on a static pool. */
  static?: boolean;
  limits: Quantities;
  usage: Quantities;
  /** The record in the NodePool's annotations, if any. */
  record?: NodePoolRecord | undefined;
}
