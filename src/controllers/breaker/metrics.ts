// Prometheus metrics of the fleet breaker view.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerStatus } from '../../api/v1alpha1/index.ts';

type Labels = 'namespace' | 'name';

export class BreakerMetrics {
  readonly open: Gauge<Labels>;
  readonly openReplicas: Gauge<Labels>;
  readonly unknownReplicas: Gauge<Labels>;
  readonly replicas: Gauge<Labels>;
  readonly lastScrape: Gauge<Labels>;
  readonly scrapes: Counter<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const gauge = (name: string, help: string): Gauge<Labels> => new Gauge({ name, help, labelNames: ['namespace', 'name'], registers });
    this.open = gauge('costguard_breaker_open', '1 while the fleet breaker is Open or HalfOpen (BreakerOpen True) and scale-out is held.');
    this.openReplicas = gauge('costguard_breaker_open_replicas', 'Worker replicas with at least one open breaker.');
    this.unknownReplicas = gauge('costguard_breaker_unknown_replicas', 'Worker replicas whose metrics could not be read.');
    this.replicas = gauge('costguard_breaker_replicas', 'Running worker pods scraped for their breaker state.');
    this.lastScrape = gauge('costguard_breaker_last_scrape_timestamp_seconds', 'When the workers were last scraped.');
    this.scrapes = new Counter({ name: 'costguard_breaker_scrapes_total', help: 'Scrapes of worker pods by result (ok, error).', labelNames: ['result'], registers });
  }

  set(namespace: string, name: string, s: BreakerStatus, nowMs: number): void {
    const labels = { namespace, name };
    this.open.set(labels, s.state === 'Open' || s.state === 'HalfOpen' ? 1 : 0);
    this.openReplicas.set(labels, s.openReplicas);
    this.unknownReplicas.set(labels, s.unknownReplicas ?? 0);
    this.replicas.set(labels, s.replicas);
    this.lastScrape.set(labels, nowMs / 1000);
  }

  forget(namespace: string, name: string): void {
    for (const g of [this.open, this.openReplicas, this.unknownReplicas, this.replicas, this.lastScrape]) g.remove({ namespace, name });
  }
}
