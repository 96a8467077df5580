// Every Kubernetes API access the operator's code makes, and where: the source of truth for the
// chart's RBAC. The chart's ClusterRole and Roles must grant exactly these (the chart test), and
// each line names the calls that need it, by file and a fragment of the call (a unit test finds
// each one, and finds no API call in src/ that no line names). So a grant no code uses cannot
// stay in the chart, and a new call cannot ship without its line here and its grant there.
// Informers `list` and `watch`; a merge patch is `patch`; a full replace (PUT) is `update`.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** Which of the chart's roles carries the grant. */
export type GrantedBy = 'ClusterRole' | 'Role (leader election)' | 'Role (Secrets)';

/** A call in the code: a file under src/ and a fragment of its text. */
export interface CallSite {
  file: string;
  call: string;
}

export interface ApiAccess {
  grantedBy: GrantedBy;
  /** '' is the core group. */
  group: string;
  /** Plurals, with the subresource if any (`costguards/status`). */
  resources: string[];
  verb: Verb;
  usedBy: CallSite[];
}

const at = (file: string, ...calls: string[]): CallSite[] => calls.map((call) => ({ file: `src/${file}`, call }));
const cluster = (group: string, resources: string[], verb: Verb, ...usedBy: CallSite[][]): ApiAccess => ({ grantedBy: 'ClusterRole', group, resources, verb, usedBy: usedBy.flat() });

// Informers list and watch; each is created by a controller's `for`/`watches` or by name.
const guardInformers = [at('cli/operator.ts', 'manager.informer<CostGuard>(COSTGUARD_RESOURCE)'), at('controllers/alerts/setup.ts', 'manager.informer<CostGuard>(COSTGUARD_RESOURCE)')];
const workloadInformers = [
  at('controllers/concurrency/watches.ts', 'resource: Resources.deployments', 'resource: Resources.statefulSets'),
  at('controllers/ceilings/watches.ts', 'workload(Resources.deployments', 'workload(Resources.statefulSets'),
];
const hpaInformer = [at('controllers/ceilings/watches.ts', 'workload(Resources.horizontalPodAutoscalers')];
const scaledObjectInformer = [at('controllers/ceilings/watches.ts', 'workload(Resources.kedaScaledObjects')];
const scaledJobInformer = [at('controllers/ceilings/watches.ts', 'workload(Resources.kedaScaledJobs')];
const nodePoolInformer = [at('controllers/ceilings/watches.ts', 'resource: Resources.karpenterNodePools')];
// Reads and writes of a guarded target of any kind (the path is built from its kind).
const readTarget = [at('controllers/targets/observe.ts', 'rest.get<KubeTarget>(path)'), at('controllers/actuator/restore-act.ts', 'rest.get<KubeObj>(path)')];
const patchWorkload = [at('controllers/actuator/act.ts', 'rest.patch(objectPath(WORKLOAD_RESOURCES[a.workload]'), at('controllers/actuator/restore-act.ts', 'io.rest.patch(path, body,')];

export const API_ACCESS: readonly ApiAccess[] = [
  cluster('costguard.io', ['costguards'], 'list', ...guardInformers),
  cluster('costguard.io', ['costguards'], 'watch', ...guardInformers),
  // Finalizers (on COSTGUARD_RESOURCE, from the ceilings controller) and the cost baseline.
  cluster('costguard.io', ['costguards'], 'patch', at('runtime/finalizers.ts', 'rest.patch<T>(objectPath(resource'), at('controllers/cost/budget.ts', 'rest.patch<CostGuard>(objectPath(COSTGUARD_RESOURCE')),
  cluster('costguard.io', ['costguards/status'], 'patch', at('runtime/status.ts', 'this.rest.patch<T>(path, patch, ContentType.mergePatch,')),
  // ownerReferences with blockOwnerDeletion need update on the owner's finalizers where the
  // OwnerReferencesPermissionEnforcement admission plugin runs.
  cluster('costguard.io', ['costguards/finalizers'], 'update', at('controllers/concurrency/config.ts', 'blockOwnerDeletion: true')),
  cluster('events.k8s.io', ['events'], 'create', at('runtime/events.ts', 'rest.create(collectionPath(Resources.events')),
  cluster('apps', ['deployments', 'statefulsets'], 'get', ...readTarget, at('controllers/runaway/worker-pods.ts', 'rest.get<Workload>(objectPath(resource'), at('controllers/concurrency/workload.ts', 'rest.get<Workload>(objectPath(resource, namespace, ref.name)')),
  cluster('apps', ['deployments', 'statefulsets'], 'list', ...workloadInformers),
  cluster('apps', ['deployments', 'statefulsets'], 'watch', ...workloadInformers),
  cluster('apps', ['deployments', 'statefulsets'], 'patch', ...patchWorkload),
  // A ScaledObject's replicas live in the HPA KEDA made for it.
  cluster('autoscaling', ['horizontalpodautoscalers'], 'get', ...readTarget, at('controllers/targets/keda-replicas.ts', 'rest.get<Hpa>(objectPath(Resources.horizontalPodAutoscalers')),
  cluster('autoscaling', ['horizontalpodautoscalers'], 'list', ...hpaInformer),
  cluster('autoscaling', ['horizontalpodautoscalers'], 'watch', ...hpaInformer),
  cluster('autoscaling', ['horizontalpodautoscalers'], 'patch', ...patchWorkload),
  cluster('keda.sh', ['scaledobjects'], 'get', ...readTarget),
  cluster('keda.sh', ['scaledobjects'], 'list', ...scaledObjectInformer),
  cluster('keda.sh', ['scaledobjects'], 'watch', ...scaledObjectInformer),
  cluster('keda.sh', ['scaledobjects'], 'patch', ...patchWorkload),
  cluster('keda.sh', ['scaledjobs'], 'get', ...readTarget),
  cluster('keda.sh', ['scaledjobs'], 'list', ...scaledJobInformer),
  cluster('keda.sh', ['scaledjobs'], 'watch', ...scaledJobInformer),
  cluster('keda.sh', ['scaledjobs'], 'patch', ...patchWorkload),
  // A ScaledJob's replicas: the Jobs it started (by KEDA's label), listed per reconcile.
  cluster('batch', ['jobs'], 'list', at('controllers/targets/keda-replicas.ts', 'rest.get<KubeList<Job>>(collectionPath(Resources.jobs')),
  cluster('karpenter.sh', ['nodepools'], 'get', ...readTarget, at('controllers/cost/nodepools.ts', 'rest.get<KarpenterNodePool>(objectPath(Resources.karpenterNodePools')),
  cluster('karpenter.sh', ['nodepools'], 'list', ...nodePoolInformer),
  cluster('karpenter.sh', ['nodepools'], 'watch', ...nodePoolInformer),
  cluster('karpenter.sh', ['nodepools'], 'patch', at('controllers/actuator/act.ts', 'rest.patch(objectPath(Resources.karpenterNodePools'), at('controllers/actuator/restore-act.ts', 'io.rest.patch(path, poolBody(')),
  // Pricing a NodePool: its NodeClaims by label, listed per reconcile (no cache, so no watch).
  cluster('karpenter.sh', ['nodeclaims'], 'list', at('controllers/cost/nodepools.ts', 'rest.get<KubeList<NodeClaim>>(collectionPath(Resources.karpenterNodeClaims)')),
  cluster('', ['configmaps'], 'get', at('controllers/concurrency/controller.ts', 'rest.get<ConfigMap>(objectPath(Resources.configMaps'), at('alerting/outbox-store.ts', 'this.rest.get<ConfigMap>(this.path(guard))'), at('controllers/cost/ledger.ts', 'this.rest.get<ConfigMap>(this.path(guard))')),
  cluster('', ['configmaps'], 'create', at('controllers/concurrency/controller.ts', 'rest.create(collectionPath(Resources.configMaps'), at('alerting/outbox-store.ts', 'this.rest.create<ConfigMap>(collectionPath(Resources.configMaps'), at('controllers/cost/ledger.ts', 'this.rest.create(collectionPath(Resources.configMaps')),
  cluster('', ['configmaps'], 'patch', at('controllers/concurrency/controller.ts', 'rest.patch(path, configMapPatch(')),
  cluster('', ['configmaps'], 'update', at('alerting/outbox-store.ts', 'this.rest.replace<ConfigMap>(this.path(guard)'), at('controllers/cost/ledger.ts', 'this.rest.replace(this.path(guard), body)')),
  cluster('', ['namespaces'], 'get', at('runtime/kube/cluster-id.ts', "rest.get<{ metadata?: { uid?: string } }>('/api/v1/namespaces/kube-system')")),
  cluster('', ['pods'], 'list', at('controllers/breaker/scrape.ts', 'rest.get<KubeList<Pod>>(collectionPath(PODS'), at('controllers/runaway/worker-pods.ts', '/pods`, { query: { labelSelector } }')),
  { grantedBy: 'Role (leader election)', group: 'coordination.k8s.io', resources: ['leases'], verb: 'get', usedBy: at('runtime/lease-lock.ts', 'this.rest.get<LeaseObject>(objectPath(Resources.leases') },
  { grantedBy: 'Role (leader election)', group: 'coordination.k8s.io', resources: ['leases'], verb: 'create', usedBy: at('runtime/lease-lock.ts', 'this.rest.create<LeaseObject>(collectionPath(Resources.leases') },
  // The budget record (cost/ledger.ts) lives in the operator's namespace; only there may it be deleted.
  { grantedBy: 'Role (leader election)', group: '', resources: ['configmaps'], verb: 'delete', usedBy: at('controllers/cost/ledger.ts', 'this.rest.delete(this.path(guard)') },
  { grantedBy: 'Role (leader election)', group: 'coordination.k8s.io', resources: ['leases'], verb: 'update', usedBy: at('runtime/lease-lock.ts', 'this.rest.replace<LeaseObject>(objectPath(Resources.leases') },
  {
    grantedBy: 'Role (Secrets)',
    group: '',
    resources: ['secrets'],
    verb: 'get',
    usedBy: [...at('alerting/webhook-secret.ts', 'rest.get<SecretObject>(objectPath(SECRETS'), ...at('controllers/runaway/wiring.ts', '/secrets/${encodeURIComponent(ref.name)}`')],
  },
];

/** The grants of one role, as RBAC rules (one per access line). */
export function rulesFor(role: GrantedBy): { apiGroups: string[]; resources: string[]; verbs: Verb[] }[] {
  return API_ACCESS.filter((a) => a.grantedBy === role).map((a) => ({ apiGroups: [a.group], resources: [...a.resources], verbs: [a.verb] }));
}
