// The runtime's flags, their environment variables and defaults: one table that drives
// parsing, `--help` text and the docs.

export interface FlagSpec {
  flag: string;
  env: string;
  key: string;
  kind: 'string' | 'duration' | 'int' | 'bool' | 'list' | 'address' | 'level';
  default: string;
  help: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'namespaces', env: 'WATCH_NAMESPACES', key: 'namespaces', kind: 'list', default: '', help: 'Comma-separated namespaces to watch; empty watches all.' },
  { flag: 'resync-period', env: 'RESYNC_PERIOD', key: 'resyncPeriodMs', kind: 'duration', default: '30s', help: 'How often every CostGuard is reconciled even without changes.' },
  {
    flag: 'max-concurrent-reconciles',
    env: 'MAX_CONCURRENT_RECONCILES',
    key: 'maxConcurrentReconciles',
    kind: 'int',
    default: '4',
    help: 'Reconciles running at once, per controller.',
  },
  {
    flag: 'kube-api-qps',
    env: 'KUBE_API_QPS',
    key: 'kubeApiQps',
    kind: 'int',
    default: '200',
    help: 'Requests per second the operator sends to the Kubernetes API server, sustained (client-side token bucket; writes that hold or clamp go first, events last; the leader Lease is exempt).',
  },
  {
    flag: 'kube-api-burst',
    env: 'KUBE_API_BURST',
    key: 'kubeApiBurst',
    kind: 'int',
    default: '300',
    help: 'Requests the operator may send to the Kubernetes API server back to back before --kube-api-qps applies.',
  },
  {
    flag: 'metadata-only-informers',
    env: 'METADATA_ONLY_INFORMERS',
    key: 'metadataOnlyInformers',
    kind: 'bool',
    default: 'true',
    help: 'Cache only the metadata of Deployments, StatefulSets, HPAs, ScaledObjects and NodePools (their events only wake guards); false caches whole objects, as before.',
  },
  {
    flag: 'aws-session-tags',
    env: 'AWS_SESSION_TAGS',
    key: 'awsSessionTags',
    kind: 'bool',
    default: 'true',
    help: 'Tag AssumeRole sessions with the guard (costguard-namespace, costguard-guard) for CloudTrail; false for guard roles whose trust policy does not allow sts:TagSession yet.',
  },
  { flag: 'leader-elect', env: 'LEADER_ELECT', key: 'leaderElect', kind: 'bool', default: 'true', help: 'Run controllers only while holding the leader Lease.' },
  {
    flag: 'leader-election-namespace',
    env: 'LEADER_ELECTION_NAMESPACE',
    key: 'leaderElectionNamespace',
    kind: 'string',
    default: 'costguard-system',
    help: 'Namespace of the leader Lease (default: POD_NAMESPACE, else costguard-system).',
  },
  { flag: 'leader-election-id', env: 'LEADER_ELECTION_ID', key: 'leaderElectionId', kind: 'string', default: 'costguard-operator', help: 'Name of the leader Lease.' },
  {
    flag: 'leader-election-lease-duration',
    env: 'LEADER_ELECTION_LEASE_DURATION',
    key: 'leaseDurationMs',
    kind: 'duration',
    default: '15s',
    help: 'How long a standby waits after the last renewal before taking over.',
  },
  {
    flag: 'leader-election-renew-deadline',
    env: 'LEADER_ELECTION_RENEW_DEADLINE',
    key: 'renewDeadlineMs',
    kind: 'duration',
    default: '10s',
    help: 'How long the leader keeps retrying a renewal before it gives up leadership.',
  },
  {
    flag: 'leader-election-retry-period',
    env: 'LEADER_ELECTION_RETRY_PERIOD',
    key: 'retryPeriodMs',
    kind: 'duration',
    default: '2s',
    help: 'How often candidates try to acquire and the leader renews.',
  },
  {
    flag: 'nodepool-namespaces',
    env: 'NODEPOOL_NAMESPACES',
    key: 'nodePoolNamespaces',
    kind: 'list',
    default: '*',
    help: 'Namespaces whose CostGuards may put limits on (cluster-scoped) Karpenter NodePools; * allows every namespace.',
  },
  {
    flag: 'aws-namespaces',
    env: 'AWS_NAMESPACES',
    key: 'awsNamespaces',
    kind: 'list',
    default: '*',
    help: 'Namespaces whose CostGuards may act on AWS (scalingGroups, spec.aws); * allows every namespace.',
  },
  {
    flag: 'role-arn-pattern',
    env: 'ROLE_ARN_PATTERN',
    key: 'roleArnPattern',
    kind: 'string',
    default: '*',
    help: 'The roles a CostGuard may name in spec.aws.roleArn: a glob (*), where {namespace} stands for the guard\'s namespace.',
  },
  {
    flag: 'cluster-id',
    env: 'CLUSTER_ID',
    key: 'clusterId',
    kind: 'string',
    default: '',
    help: 'Names this cluster on the records CostGuard leaves on AWS targets, so two clusters guarding one account tell their guards apart (a DNS label of at most 26 characters); empty derives it from the kube-system namespace UID.',
  },
  { flag: 'metrics-bind-address', env: 'METRICS_BIND_ADDRESS', key: 'metricsBindAddress', kind: 'address', default: ':8080', help: 'Where /metrics is served; 0 disables.' },
  {
    flag: 'health-probe-bind-address',
    env: 'HEALTH_PROBE_BIND_ADDRESS',
    key: 'healthProbeBindAddress',
    kind: 'address',
    default: ':8081',
    help: 'Where /healthz and /readyz are served; 0 disables.',
  },
  { flag: 'log-level', env: 'LOG_LEVEL', key: 'logLevel', kind: 'level', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent.' },
  {
    flag: 'graceful-shutdown-timeout',
    env: 'GRACEFUL_SHUTDOWN_TIMEOUT',
    key: 'gracefulShutdownTimeoutMs',
    kind: 'duration',
    default: '20s',
    help: 'How long SIGTERM waits for reconciles in flight before releasing the Lease.',
  },
];

/** `--help` text for the runtime's flags. */
export function configUsage(): string {
  return FLAGS.map((f) => `  --${f.flag} (${f.env}, default "${f.default}")\n      ${f.help}`).join('\n');
}
