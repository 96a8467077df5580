// Prometheus metrics of the ceilings controller. `costguard_ceiling_binding` is the signal
// users asked for: 1 while a target's demand sits at its ceiling.
import { Counter, Gauge, type Registry } from 'prom-client';

export class CeilingMetrics {
  readonly binding: Gauge<'namespace' | 'name' | 'target'>;
  readonly clamps: Counter<'namespace' | 'name' | 'reason'>;
  readonly pending: Gauge<'namespace' | 'name'>;
  readonly missing: Gauge<'namespace' | 'name'>;
  readonly unmatched: Gauge<'namespace' | 'name'>;
  private readonly bindingTargets = new Map<string, Set<string>>();

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

  forget(namespace: string, name: string): void {
    this.setBinding(namespace, name, []);
    this.bindingTargets.delete(`${namespace}/${name}`);
    this.missing.remove({ namespace, name });
    this.unmatched.remove({ namespace, name });
    this.pending.remove({ namespace, name });
  }
}
