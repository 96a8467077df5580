// A resource type the runtime can list, watch and patch without generated clients: the
// group/version/plural triple plus scope. Core types use group ''.

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /**
   * The API may not be installed (a CRD such as KEDA's or Karpenter's): a 404 on list is
   * logged once and retried slowly instead of failing readiness.
   */
  optional?: boolean;
}

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** "deployments.apps", "configmaps": the name used in logs and metric labels. */
export function resourceName(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function groupPath(r: ResourceType): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The collection path; `namespace` undefined means all namespaces (or cluster scope). */
export function collectionPath(r: ResourceType, namespace?: string): string {
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPath(r)}${ns}/${r.plural}`;
}

export function objectPath(r: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  if (r.namespaced && !namespace) throw new TypeError(`${resourceName(r)} is namespaced: a namespace is required for ${name}`);
  const base = `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

/** Well-known resources the controllers watch. */
export const Resources = {
  configMaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  statefulSets: { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  horizontalPodAutoscalers: {
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  kedaScaledObjects: { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects', kind: 'ScaledObject', namespaced: true, optional: true },
  kedaScaledJobs: { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledjobs', kind: 'ScaledJob', namespaced: true, optional: true },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  karpenterNodePools: { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', kind: 'NodePool', namespaced: false, optional: true },
  karpenterNodeClaims: { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims', kind: 'NodeClaim', namespaced: false, optional: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  events: { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
} as const satisfies Record<string, ResourceType>;
