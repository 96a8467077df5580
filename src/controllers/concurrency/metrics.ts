// Prometheus metrics of the concurrency controller: what each guard publishes to its workers.
import { Counter, Gauge, type Registry } from 'prom-client';

type Labels = 'namespace' | 'name';

export class ConcurrencyMetrics {
  readonly perReplicaLimit: Gauge<Labels>;
  readonly replicas: Gauge<Labels>;
  readonly fleetCap: Gauge<Labels>;
  readonly frozen: Gauge<Labels>;
  readonly publishes: Counter<Labels>;

  constructor(registry: Registry) {
    const registers = [registry];
    const gauge = (name: string, help: string): Gauge<Labels> => new Gauge({ name, help, labelNames: ['namespace', 'name'], registers });
    this.perReplicaLimit = gauge('costguard_concurrency_per_replica_limit', 'The per-replica in-flight limit computed for the workers (published unless DryRun or paused).');
    this.replicas = gauge('costguard_concurrency_replicas', 'Replicas of the concurrency workload the limit is shared by.');
    this.fleetCap = gauge('costguard_concurrency_fleet_in_flight_cap', 'Jobs that may be in flight across the fleet: replicas × per-replica limit.');
    this.frozen = gauge('costguard_concurrency_frozen', '1 while workers are told to stop retrying (the brake is engaged).');
    this.publishes = new Counter({
      name: 'costguard_concurrency_publishes_total',
      help: 'Writes of the worker ConfigMap (a new limit, frozen flag or breaker settings).',
      labelNames: ['namespace', 'name'],
      registers,
    });
  }

  set(namespace: string, name: string, v: { replicas: number; perReplicaLimit: number; fleetInFlightCap?: number; frozen: boolean }): void {
    this.perReplicaLimit.set({ namespace, name }, v.perReplicaLimit);
    this.replicas.set({ namespace, name }, v.replicas);
    this.fleetCap.set({ namespace, name }, v.fleetInFlightCap ?? v.replicas * v.perReplicaLimit);
    this.frozen.set({ namespace, name }, v.frozen ? 1 : 0);
  }

  forget(namespace: string, name: string): void {
    for (const g of [this.perReplicaLimit, this.replicas, this.fleetCap, this.frozen]) g.remove({ namespace, name });
  }
}
