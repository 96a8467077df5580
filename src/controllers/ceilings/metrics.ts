// Prometheus metrics of the ceilings controller. `costguard_ceiling_binding` is the signal
// users asked for: 1 while a target's demand sits at its ceiling.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CostGuardStatus } from '../../api/v1alpha1/index.ts';
import { asgRef, workloadRef } from '../targets/observed.ts';

/** One integer target as the dashboard draws it: what runs, the ceiling the spec sets, the limit in force. */
interface TargetFigures {
  target: string;
  capacity?: number | undefined;
  ceiling: number;
  limit?: number | undefined;
}

type TargetLabels = 'namespace' | 'name' | 'target';

/** Groups and workloads of a status as figures (NodePools are resources, not counts: left out). */
export function targetFigures(status: Pick<CostGuardStatus, 'scalingGroups' | 'workloads'>): TargetFigures[] {
  return [
    ...(status.scalingGroups ?? []).map((g) => ({ target: asgRef(g.name), capacity: g.desired, ceiling: g.ceiling, limit: g.maxSize })),
    ...(status.workloads ?? []).map((w) => ({ target: workloadRef(w), capacity: w.replicas, ceiling: w.ceiling, limit: w.maxReplicas })),
  ];
}

export class CeilingMetrics {
  readonly binding: Gauge<'namespace' | 'name' | 'target'>;
  readonly clamps: Counter<'namespace' | 'name' | 'reason'>;
  readonly pending: Gauge<'namespace' | 'name'>;
  readonly missing: Gauge<'namespace' | 'name'>;
  readonly unmatched: Gauge<'namespace' | 'name'>;
  /** What runs on each target: an Auto Scaling group's desired capacity, a workload's replicas. */
  readonly capacity: Gauge<TargetLabels>;
  /** The ceiling the guard's spec sets on each target. */
  readonly ceiling: Gauge<TargetLabels>;
  /** The limit standing on each target now (MaxSize, maxReplicas): below the ceiling while a hold or another guard binds. */
  readonly limit: Gauge<TargetLabels>;
  private readonly bindingTargets = new Map<string, Set<string>>();
  private readonly figureTargets = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.binding = new Gauge({
      name: 'costguard_ceiling_binding',
      help: '1 while demand on a target sits at its CostGuard ceiling (or scale-out rate limit).',
      labelNames: ['namespace', 'name', 'target'],
      registers,
    });
    this.clamps = new Counter({
      name: 'costguard_clamps_total',
      help: 'Clamps applied, by reason: AboveCeiling, Drift, ScaleOutRateLimited, Unset, Unlimited, MinAboveCeiling.',
      labelNames: ['namespace', 'name', 'reason'],
      registers,
    });
    this.pending = new Gauge({
      name: 'costguard_clamps_pending',
      help: 'Clamps a guard would make but does not, because it is in DryRun or paused.',
      labelNames: ['namespace', 'name'],
      registers,
    });
    this.capacity = new Gauge({ name: 'costguard_target_capacity', help: 'What runs on a guarded target: an Auto Scaling group\'s desired capacity, a workload\'s replicas.', labelNames: ['namespace', 'name', 'target'], registers });
    this.ceiling = new Gauge({ name: 'costguard_target_ceiling', help: 'The ceiling a CostGuard\'s spec sets on a target.', labelNames: ['namespace', 'name', 'target'], registers });
    this.limit = new Gauge({
      name: 'costguard_target_limit',
      help: 'The limit standing on a target now (MaxSize, maxReplicas, maxReplicaCount): below the ceiling while a hold (brake, breaker, $ cap) or another guard binds.',
      labelNames: ['namespace', 'name', 'target'],
      registers,
    });
    this.missing = new Gauge({ name: 'costguard_targets_missing', help: 'Targets a CostGuard names that do not exist.', labelNames: ['namespace', 'name'], registers });
    this.unmatched = new Gauge({
      name: 'costguard_selectors_unmatched',
      help: 'Tag selectors of a CostGuard that match no Auto Scaling group (0 when every selector matches); the condition NoTargetsMatched names them.',
      labelNames: ['namespace', 'name'],
      registers,
    });
  }

  /** Sets binding=1 for `targets` and drops series for targets no longer binding. */
  setBinding(namespace: string, name: string, targets: readonly string[]): void {
    const key = `${namespace}/${name}`;
    const now = new Set(targets);
    for (const old of this.bindingTargets.get(key) ?? []) if (!now.has(old)) this.binding.remove({ namespace, name, target: old });
    for (const target of now) this.binding.set({ namespace, name, target }, 1);
    this.bindingTargets.set(key, now);
  }

  /** Sets capacity, ceiling and limit per target and drops the series of targets gone from status. */
  setTargets(namespace: string, name: string, figures: readonly TargetFigures[]): void {
    const key = `${namespace}/${name}`;
    const now = new Set(figures.map((f) => f.target));
    for (const old of this.figureTargets.get(key) ?? []) if (!now.has(old)) for (const g of [this.capacity, this.ceiling, this.limit]) g.remove({ namespace, name, target: old });
    for (const f of figures) {
      const labels = { namespace, name, target: f.target };
      this.ceiling.set(labels, f.ceiling);
      // An unknown figure is no series, never a 0 that reads as "nothing runs".
      if (f.capacity === undefined) this.capacity.remove(labels);
      else this.capacity.set(labels, f.capacity);
      if (f.limit === undefined) this.limit.remove(labels);
      else this.limit.set(labels, f.limit);
    }
    this.figureTargets.set(key, now);
  }

  forget(namespace: string, name: string): void {
    this.setBinding(namespace, name, []);
    this.setTargets(namespace, name, []);
    this.figureTargets.delete(`${namespace}/${name}`);
    this.bindingTargets.delete(`${namespace}/${name}`);
    this.missing.remove({ namespace, name });
    this.unmatched.remove({ namespace, name });
    this.pending.remove({ namespace, name });
  }
}
