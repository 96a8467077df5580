// `costguard operator`: wiring only. Builds the runtime Manager, the AWS clients and the
// controllers, and runs until SIGTERM (graceful: drain, release the Lease).
import type { CostGuard } from '../api/v1alpha1/index.ts';
import { AwsClients } from '../cloud/aws/clients.ts';
import { awsScalingGroups } from '../cloud/aws/autoscaling.ts';
import { CeilingsReconciler } from '../controllers/ceilings/controller.ts';
import { GroupSnapshots, targetKey } from '../controllers/ceilings/group-snapshots.ts';
import { CeilingMetrics } from '../controllers/ceilings/metrics.ts';
import { ceilingWatches } from '../controllers/ceilings/watches.ts';
import { CostReconciler } from '../controllers/cost/controller.ts';
import { CostMetrics } from '../controllers/cost/metrics.ts';
import { AccountIds } from '../cloud/aws/account.ts';
import { AwsBudgets } from '../cloud/aws/budgets.ts';
import { awsCostExplorer } from '../cloud/aws/cost-explorer.ts';
import { awsLaunchTemplates } from '../cloud/aws/launch-templates.ts';
import { SHIPPED_PRICES } from '../cloud/pricing/prices.ts';
import type { Alert, Notifier } from '../alerting/notifier.ts';
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
  /** Where concerns send alerts; by default they are logged only. */
  notifier?: Notifier;
  /** How often the cost controller re-reads an unchanged AWS Budget (default 15m). */
  budgetRefreshMs?: number;
}

/** Logs alerts: the stand-in while no Notifier is configured. */
export function loggingNotifier(log: Logger): Notifier {
  return {
    fire: (guard, alert: Alert) => {
      log.warn({ guard: `${guard.metadata.namespace}/${guard.metadata.name}`, incident: alert.incident, title: alert.title }, 'alert firing');
      return Promise.resolve();
    },
    resolve: (guard, incident, summary) => {
      log.info({ guard: `${guard.metadata.namespace}/${guard.metadata.name}`, incident, summary }, 'alert resolved');
      return Promise.resolve();
    },
  };
}

export interface RunningOperator {
  manager: Manager;
  aws: AwsClients;
  cost: CostReconciler;
  stop(): Promise<void>;
}

export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
    // Process metrics (RSS, heap, event-loop lag) make the operator's own cost visible.
  const metrics = new RuntimeMetrics(new Registry(), { processMetrics: true });
  const manager = new Manager({ config: opts.config, kubeConfig: opts.kubeConfig ?? (await loadKubeAccess()), metrics, ...(opts.log ? { log: opts.log } : {}) });
  const aws = new AwsClients({ registry: manager.metrics.registry, ...(opts.awsEndpoint ? { endpoint: opts.awsEndpoint } : {}) });
  const ports = new Map<string, ScalingGroups>();
  const scalingGroups = (target: AwsTarget): ScalingGroups => {
    const key = targetKey(target);
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
  });
  manager.addController(reconciler, { for: COSTGUARD_RESOURCE, watches: ceilingWatches(guards) });
  const accounts = new AccountIds(aws);
  const cost = new CostReconciler({
    guards,
    rest: manager.rest,
    snapshots,
    scalingGroups,
    launchTemplates: (target) => awsLaunchTemplates(aws, target),
    budgets: (target) => new AwsBudgets(aws, target, accounts),
    costExplorer: (target) => awsCostExplorer(aws, target),
    notifier: opts.notifier ?? loggingNotifier(manager.log),
    prices: SHIPPED_PRICES,
    metrics: new CostMetrics(manager.metrics.registry),
    defaultRegion: opts.defaultRegion,
    clock: manager.clock,
    ...(opts.budgetRefreshMs !== undefined ? { budgetRefreshMs: opts.budgetRefreshMs } : {}),
  });
  manager.addController(cost, { for: COSTGUARD_RESOURCE });
  await manager.start();
  return {
    manager,
    aws,
    cost,
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
