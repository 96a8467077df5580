// `costguard operator`: wiring only. Builds the runtime Manager, the AWS clients and the
// controllers, and runs until SIGTERM (graceful: drain, release the Lease).
import type { CostGuard } from '../api/v1alpha1/index.ts';
import { AwsClients, clientKey } from '../cloud/aws/clients.ts';
import { awsScalingGroups } from '../cloud/aws/autoscaling.ts';
import { CeilingsReconciler } from '../controllers/ceilings/controller.ts';
import { GroupSnapshots, targetKey } from '../controllers/ceilings/group-snapshots.ts';
import { CeilingMetrics } from '../controllers/ceilings/metrics.ts';
import { ceilingWatches } from '../controllers/ceilings/watches.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../controllers/resources.ts';
import { Registry } from 'prom-client';
import { loadKubeAccess } from '../runtime/kube/load-access.ts';
import type { KubeAccess } from '../runtime/kube/access.ts';
import { Manager, onShutdownSignal, RuntimeMetrics, type Logger, type RuntimeConfig } from '../runtime/index.ts';
import type { AwsTarget } from '../cloud/aws/clients.ts';
import type { ScalingGroups } from '../cloud/scaling-groups.ts';

export interface OperatorOptions {
  config: RuntimeConfig;
  kubeConfig?: KubeAccess;
  /** AWS_REGION of the operator: the region of guards without spec.aws. */
  defaultRegion: string;
  /** Overrides AWS_ENDPOINT_URL for every service (tests put a fault proxy here). */
  awsEndpoint?: string;
  log?: Logger;
}

export interface RunningOperator {
  manager: Manager;
  aws: AwsClients;
  stop(): Promise<void>;
}

export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
    // Process metrics (RSS, heap, event-loop lag) make the operator's own cost visible.
  const metrics = new RuntimeMetrics(new Registry(), { processMetrics: true });
  const manager = new Manager({ config: opts.config, kubeConfig: opts.kubeConfig ?? (await loadKubeAccess()), metrics, ...(opts.log ? { log: opts.log } : {}) });
  const aws = new AwsClients({ registry: manager.metrics.registry, fence: manager.fence.signal, ...(opts.awsEndpoint ? { endpoint: opts.awsEndpoint } : {}) });
  const ports = new Map<string, ScalingGroups>();
  const scalingGroups = (target: AwsTarget): ScalingGroups => {
    // Per guard under a role, so each guard's writes carry its own AssumeRole session name.
    const key = clientKey(target);
    if (!ports.has(key)) ports.set(key, awsScalingGroups(aws, target));
    return ports.get(key)!;
  };
  const guards = manager.informer<CostGuard>(COSTGUARD_RESOURCE);
  const namesFor = (target: AwsTarget): string[] =>
    guards
      .list()
      .filter((g) => targetKey(awsTargetOf(g, opts.defaultRegion)) === targetKey(target))
      .flatMap((g) => (g.spec.scalingGroups ?? []).flatMap((s) => (s.name ? [s.name] : [])));
  const snapshots = new GroupSnapshots({ clock: manager.clock, maxAgeMs: opts.config.resyncPeriodMs, scalingGroups, namesFor });
  const reconciler = new CeilingsReconciler({
    guards,
    rest: manager.rest,
    snapshots,
    scalingGroups,
    metrics: new CeilingMetrics(manager.metrics.registry),
    defaultRegion: opts.defaultRegion,
    tenancy: { nodePoolNamespaces: opts.config.nodePoolNamespaces, awsNamespaces: opts.config.awsNamespaces, roleArnPattern: opts.config.roleArnPattern },
  });
  manager.addController(reconciler, { for: COSTGUARD_RESOURCE, watches: ceilingWatches(guards) });
  await manager.start();
  return {
    manager,
    aws,
    stop: async () => {
      await manager.stop();
      aws.shutdown();
    },
  };
}

export async function runOperator(opts: OperatorOptions): Promise<void> {
  const running = await startOperator(opts);
  const off = onShutdownSignal(() => running.stop(), running.manager.log);
  const reason = await running.manager.done;
  off();
  running.aws.shutdown();
  // Leadership lost: exit non-zero so the kubelet restarts us as a clean standby.
  if (reason === 'leadership-lost') process.exitCode = 1;
}
