// `costguard operator`: wiring only. Builds the runtime Manager, the AWS clients and the
// controllers, and runs until SIGTERM (graceful: drain, release the Lease).
import type { CostGuard, ScalingGroupSpec } from '../api/v1alpha1/index.ts';
import { AwsClients, clientKey } from '../cloud/aws/clients.ts';
import { awsScalingGroups } from '../cloud/aws/autoscaling.ts';
import type { Notifier } from '../alerting/notifier.ts';
import { setupAlerts, type AlertsOptions } from '../controllers/alerts/setup.ts';
import { CeilingsReconciler } from '../controllers/ceilings/controller.ts';
import { GroupSnapshots, targetKey } from '../controllers/targets/group-snapshots.ts';
import { CeilingMetrics } from '../controllers/ceilings/metrics.ts';
import { ceilingWatches, specOrHoldsChanged } from '../controllers/ceilings/watches.ts';
import { observeCapacity } from '../controllers/targets/capacity.ts';
import { permittedGuard } from '../controllers/targets/tenancy.ts';
import { breakerConcerns, BreakerReconciler } from '../controllers/breaker/controller.ts';
import { BreakerMetrics } from '../controllers/breaker/metrics.ts';
import { concurrencyConcerns, ConcurrencyReconciler } from '../controllers/concurrency/controller.ts';
import { ConcurrencyMetrics } from '../controllers/concurrency/metrics.ts';
import { specOrBrakeChanged, workerWorkloadWatches, workloadSpecChanged } from '../controllers/concurrency/watches.ts';
import { costConcerns, CostReconciler } from '../controllers/cost/controller.ts';
import { CostMetrics } from '../controllers/cost/metrics.ts';
import { AccountIds } from '../cloud/aws/account.ts';
import { clusterIdOf } from '../runtime/kube/cluster-id.ts';
import { ConfigMapBudgetLedger } from '../controllers/cost/ledger.ts';
import { AwsBudgets } from '../cloud/aws/budgets.ts';
import { awsCostExplorer } from '../cloud/aws/cost-explorer.ts';
import { awsLaunchTemplates } from '../cloud/aws/launch-templates.ts';
import { SHIPPED_PRICES } from '../cloud/pricing/prices.ts';
import { runawayReconciler } from '../controllers/runaway/wiring.ts';
import { runawayConcerns } from '../controllers/runaway/controller.ts';
import type { KubeObject } from '../runtime/keys.ts';
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
  /** Slack delivery tuning (tests shorten the breaker). */
  alerts?: AlertsOptions;
  /** Where concerns send alerts; defaults to the operator's own Notifier (tests record calls). */
  notifier?: Notifier;
  /** How often the cost controller re-reads an unchanged AWS Budget (default 15m). */
  budgetRefreshMs?: number;
  /** The runaway detector's sampling interval (default 30 s; tests sample faster). */
  runawaySampleIntervalMs?: number;
  /**
   * A change to status.holds wakes the actuator at once (default true). false leaves
   * a new hold to the next resync, as before holds woke it: only `make bench` sets it, to
   * measure the two side by side.
   */
  holdsWakeActuator?: boolean;
  /**
   * false: the runaway concern does not run. Only `make bench` sets it, where the bench writes
   * the brake's holds itself and must keep them: the concern would take a hold it did not
   * decide off again at once.
   */
  runawayConcern?: boolean;
}

export interface RunningOperator {
  manager: Manager;
  aws: AwsClients;
  /** Where every concern raises and resolves alerts. */
  notifier: Notifier;
  cost: CostReconciler;
  stop(): Promise<void>;
}

/**
 * Each concern's controller is queued only for the guards that concern it (its section, or
 * its leftovers to clean once): with 1,000 guards and a resync every 30 s, the others would
 * be 1,000 empty reconciles per controller per cycle.
 */
const guardsThat = (concerns: (guard: CostGuard) => boolean) => (obj: KubeObject): boolean => concerns(obj as CostGuard);

/** One ScalingGroups port per client key: per guard under a role, so each guard's writes carry its own AssumeRole session name. */
function scalingGroupPorts(aws: AwsClients): (target: AwsTarget) => ScalingGroups {
  const ports = new Map<string, ScalingGroups>();
  return (target) => {
    const key = clientKey(target);
    if (!ports.has(key)) ports.set(key, awsScalingGroups(aws, target));
    return ports.get(key)!;
  };
}

export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
    // Process metrics (RSS, heap, event-loop lag) make the operator's own cost visible.
  const metrics = new RuntimeMetrics(new Registry(), { processMetrics: true });
  const manager = new Manager({ config: opts.config, kubeConfig: opts.kubeConfig ?? (await loadKubeAccess()), metrics, ...(opts.log ? { log: opts.log } : {}) });
  // First, so every concern's controller can take the Notifier in its deps.
  const alerts = setupAlerts(manager, opts.alerts);
  const aws = new AwsClients({ registry: manager.metrics.registry, fence: manager.fence, sessionTags: opts.config.awsSessionTags, ...(opts.awsEndpoint ? { endpoint: opts.awsEndpoint } : {}) });
  const scalingGroups = scalingGroupPorts(aws);
  const guards = manager.informer<CostGuard>(COSTGUARD_RESOURCE);
  const tenancy = { nodePoolNamespaces: opts.config.nodePoolNamespaces, awsNamespaces: opts.config.awsNamespaces, roleArnPattern: opts.config.roleArnPattern };
  // The shared snapshot describes what the guards name as the policy permits it: a refused
  // guard's groups are not looked up under anyone's identity.
  const entriesFor = (target: AwsTarget): ScalingGroupSpec[] =>
    guards
      .list()
      .map((g) => permittedGuard(g, tenancy))
      .filter((g) => targetKey(awsTargetOf(g, opts.defaultRegion)) === targetKey(target))
      .flatMap((g) => g.spec.scalingGroups ?? []);
  const namesFor = (target: AwsTarget): string[] => entriesFor(target).flatMap((s) => (s.name ? [s.name] : []));
  const selectorsFor = (target: AwsTarget): Record<string, string>[] => entriesFor(target).flatMap((s) => (s.tagSelector ? [s.tagSelector] : []));
  // Half the resync period: the guards of one resync burst share a describe, and the next burst
  // always describes again. At the full period, a snapshot taken a moment after one burst began
  // was still young enough at the next, so a hand raise was seen (and reverted) a resync late.
  const snapshots = new GroupSnapshots({ clock: manager.clock, maxAgeMs: snapshotMaxAgeMs(opts.config.resyncPeriodMs), scalingGroups, namesFor, selectorsFor });
  const accounts = new AccountIds(aws);
  const clusterId = await clusterIdOf(manager.rest, opts.config.clusterId);
  const reconciler = new CeilingsReconciler({
    guards,
    rest: manager.rest,
    snapshots,
    scalingGroups,
    metrics: new CeilingMetrics(manager.metrics.registry),
    defaultRegion: opts.defaultRegion,
    tenancy,
    accounts,
    records: { clusterId, watchedNamespaces: opts.config.namespaces },
    notifier: opts.notifier ?? alerts.notifier,
  });
  manager.addController(reconciler, { for: COSTGUARD_RESOURCE, watches: ceilingWatches(guards), ...(opts.holdsWakeActuator === false ? {} : { predicate: specOrHoldsChanged }) });
  const concurrency = new ConcurrencyReconciler({ guards, rest: manager.rest, metrics: new ConcurrencyMetrics(manager.metrics.registry) });
  manager.addController(concurrency, { for: COSTGUARD_RESOURCE, watches: workerWorkloadWatches(guards), predicate: specOrBrakeChanged, concerns: guardsThat(concurrencyConcerns) });
  // The fleet breaker view polls the workers itself (requeueAfter); workload changes wake it early.
  const breaker = new BreakerReconciler({ guards, rest: manager.rest, metrics: new BreakerMetrics(manager.metrics.registry), notifier: opts.notifier ?? alerts.notifier });
  manager.addController(breaker, { for: COSTGUARD_RESOURCE, watches: workerWorkloadWatches(guards, workloadSpecChanged), concerns: guardsThat(breakerConcerns) });
  const cost = new CostReconciler({
    guards,
    rest: manager.rest,
    snapshots,
    scalingGroups,
    launchTemplates: (target) => awsLaunchTemplates(aws, target),
    budgets: (target) => new AwsBudgets(aws, target, accounts),
    ledger: new ConfigMapBudgetLedger(manager.rest, opts.config.leaderElectionNamespace),
    costExplorer: (target) => awsCostExplorer(aws, target),
    notifier: opts.notifier ?? alerts.notifier,
    prices: SHIPPED_PRICES,
    tenancy,
    metrics: new CostMetrics(manager.metrics.registry),
    defaultRegion: opts.defaultRegion,
    clock: manager.clock,
    ...(opts.budgetRefreshMs !== undefined ? { budgetRefreshMs: opts.budgetRefreshMs } : {}),
  });
  manager.addController(cost, { for: COSTGUARD_RESOURCE, concerns: guardsThat(costConcerns) });
  const runaway = runawayReconciler({
    guards,
    rest: manager.rest,
    aws,
    registry: manager.metrics.registry,
    defaultRegion: opts.defaultRegion,
    notifier: opts.notifier ?? alerts.notifier,
    ...(opts.runawaySampleIntervalMs ? { sampleIntervalMs: opts.runawaySampleIntervalMs } : {}),
    tenancy,
    capacity: (guard, maxAgeMs) => observeCapacity({ rest: manager.rest, snapshots, scalingGroups, tenancy, defaultRegion: opts.defaultRegion, awsTargetOf: (g) => awsTargetOf(g, opts.defaultRegion) }, guard, maxAgeMs),
  });
  if (opts.runawayConcern !== false) manager.addController(runaway, { for: COSTGUARD_RESOURCE, concerns: guardsThat(runawayConcerns) });
  await manager.start();
  return {
    manager,
    aws,
    notifier: alerts.notifier,
    cost,
    stop: async () => {
      await manager.stop();
      aws.shutdown();
      alerts.shutdown();
    },
  };
}

export async function runOperator(opts: OperatorOptions): Promise<void> {
  const running = await startOperator(opts);
  const off = onShutdownSignal(() => running.stop(), running.manager.log);
  const reason = await running.manager.done;
  off();
  await running.stop();
  // Leadership lost: exit non-zero so the kubelet restarts us as a clean standby.
  if (reason === 'leadership-lost') process.exitCode = 1;
}

/** How old a shared group snapshot may be: half the resync period, so every resync burst reads AWS afresh. */
export function snapshotMaxAgeMs(resyncPeriodMs: number): number {
  return Math.max(500, Math.floor(resyncPeriodMs / 2));
}
