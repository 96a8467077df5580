// Pure: what the concurrency controller publishes, reports and says about it.
//
// Invariants:
// - the per-replica limit is min(perReplicaMax, floor(fleetMax / replicas)) and never below 1
//   (a worker with limit 0 would stop, which is the brake's job, not this one's);
// - publishedAt changes only when the published settings change, so an unchanged guard never
//   rewrites its ConfigMap and workers never reload for nothing;
// - nothing is written in DryRun, while paused, or over a ConfigMap someone else owns.
import { ConditionType, type ConcurrencySpec, type ConcurrencyStatus, type CostGuard } from '../../api/v1alpha1/index.ts';
import { formatTime, type ConditionInput } from '../../runtime/conditions.ts';
import { breakerSettings, configMapName, RETRY_BUDGET_DEFAULT, sameSettings, WORKER_CONFIG_VERSION, type WorkerConfig, type WorkerSettings } from './config.ts';

/** min(perReplicaMax, floor(fleetMax / replicas)), at least 1; with no replicas, perReplicaMax. */
export function perReplicaLimit(spec: Pick<ConcurrencySpec, 'fleetMax' | 'perReplicaMax'>, replicas: number): number {
  const share = replicas > 0 ? Math.floor(spec.fleetMax / replicas) : spec.perReplicaMax;
  return Math.max(1, Math.min(spec.perReplicaMax, share));
}

export interface ObservedConcurrency {
  /** Replicas of spec.concurrency.workload: max(spec.replicas, status.replicas); undefined when it does not exist. */
  replicas: number | undefined;
  /** The ConfigMap as it is: absent, ours (with what it holds) or someone else's. */
  configMap: { state: 'absent' } | { state: 'ours'; published: WorkerConfig | undefined } | { state: 'foreign' };
}

export interface ConcurrencyOptions {
  mode: 'DryRun' | 'Enforce';
  paused: boolean;
  nowMs: number;
}

export interface ConcurrencyDecision {
  /** The ConfigMap content to write; undefined when nothing is to be written. */
  publish?: WorkerConfig;
  /** status.concurrency; undefined means "keep what status has". */
  status?: ConcurrencyStatus;
  condition: ConditionInput;
  /** Something worth an Event: a publish, a would-publish, or a fleet cap out of reach. */
  news?: { reason: 'ConcurrencyPublished' | 'WouldPublish' | 'FleetCapUnreachable'; message: string };
}

const TYPE = ConditionType.ConcurrencyPublished;

export function workerSettings(guard: CostGuard, limit: number): WorkerSettings {
  return {
    version: WORKER_CONFIG_VERSION,
    guard: `${guard.metadata.namespace}/${guard.metadata.name}`,
    perReplicaLimit: limit,
    frozen: guard.status?.brake !== undefined,
    retryBudgetPercent: guard.spec.runaway?.retryBudgetPercent ?? RETRY_BUDGET_DEFAULT,
    breaker: breakerSettings(guard),
  };
}

export function decideConcurrency(guard: CostGuard, observed: ObservedConcurrency, opts: ConcurrencyOptions): ConcurrencyDecision {
  const spec = guard.spec.concurrency;
  if (!spec) {
    const workload = guard.spec.workloads?.find((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
    const watched = workload ? `; the fleet breaker view watches ${workload.kind}/${workload.name}` : '';
    const message = `No spec.concurrency: nothing is published to workers (add it to hand them a limit and the breaker settings)${watched}.`;
    return { condition: { type: TYPE, status: 'True', reason: 'FleetViewOnly', message } };
  }
  const target = `${spec.workload.kind}/${spec.workload.name}`;
  if (observed.replicas === undefined) {
    return { condition: { type: TYPE, status: 'False', reason: 'WorkloadNotFound', message: `${target} does not exist in namespace ${guard.metadata.namespace}: nothing is published.` } };
  }
  const replicas = observed.replicas;
  const settings = workerSettings(guard, perReplicaLimit(spec, replicas));
  const cm = configMapName(guard.metadata.name ?? '');
  const facts = describe(spec, replicas, settings, target);
  const status = statusOf(spec, replicas, settings, cm);
  if (opts.paused || opts.mode === 'DryRun') {
    const reason = opts.paused ? 'Paused' : 'DryRun';
    const why = opts.paused ? 'costguard.io/paused is "true"' : 'DryRun';
    const message = `${why}: would publish ${facts} in ConfigMap ${cm}.`;
    return { status, condition: { type: TYPE, status: 'False', reason, message }, news: { reason: 'WouldPublish', message } };
  }
  if (observed.configMap.state === 'foreign') {
    const message = `ConfigMap ${cm} exists and is not CostGuard's (no owner reference to this guard, no app.kubernetes.io/managed-by: costguard label): rename or delete it.`;
    return { status, condition: { type: TYPE, status: 'False', reason: 'ConfigMapConflict', message } };
  }
  return published(settings, observed, { status, facts, cm, nowMs: opts.nowMs, reachable: replicas <= spec.fleetMax, fleetMax: spec.fleetMax });
}

interface Published {
  status: ConcurrencyStatus;
  facts: string;
  cm: string;
  nowMs: number;
  reachable: boolean;
  fleetMax: number;
}

function published(settings: WorkerSettings, observed: ObservedConcurrency, p: Published): ConcurrencyDecision {
  const prior = observed.configMap.state === 'ours' ? observed.configMap.published : undefined;
  const unchanged = prior !== undefined && sameSettings(settings, prior);
  const config: WorkerConfig = { ...settings, publishedAt: unchanged ? prior.publishedAt : formatTime(p.nowMs) };
  const status = { ...p.status, publishedAt: config.publishedAt };
  const condition: ConditionInput = p.reachable
    ? { type: TYPE, status: 'True', reason: 'Published', message: `Published ${p.facts} in ConfigMap ${p.cm}.` }
    : {
        type: TYPE,
        status: 'True',
        reason: 'FleetCapUnreachable',
        message: `Published ${p.facts} in ConfigMap ${p.cm}; ${status.replicas} replicas exceed fleetMax ${p.fleetMax}, so even 1 per replica lets ${status.fleetInFlightCap} jobs run: lower the replicas (a ceiling) to keep the fleet cap.`,
      };
  if (unchanged) return { status, condition };
  const news = p.reachable
    ? { reason: 'ConcurrencyPublished' as const, message: `Published ${p.facts}.` }
    : { reason: 'FleetCapUnreachable' as const, message: condition.message ?? '' };
  return { publish: config, status, condition, news };
}

function statusOf(spec: ConcurrencySpec, replicas: number, s: WorkerSettings, configMap: string): ConcurrencyStatus {
  return {
    replicas,
    perReplicaLimit: s.perReplicaLimit,
    fleetInFlightCap: replicas * s.perReplicaLimit,
    fleetMaxReachable: replicas <= spec.fleetMax,
    frozen: s.frozen,
    configMap,
  };
}

function describe(spec: ConcurrencySpec, replicas: number, s: WorkerSettings, target: string): string {
  const frozen = s.frozen ? ', frozen (no retries: the brake is engaged)' : '';
  return `per-replica limit ${s.perReplicaLimit} for ${replicas} replicas of ${target} (fleet cap ${replicas * s.perReplicaLimit} of fleetMax ${spec.fleetMax})${frozen}`;
}
