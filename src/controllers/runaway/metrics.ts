// Prometheus metrics of the runaway controller; the chart's PrometheusRule alerts on the first
// and the last of them.
import { Gauge, type Registry } from 'prom-client';

type Labels = 'namespace' | 'name';

export class RunawayMetrics {
  readonly suspected: Gauge<Labels>;
  readonly score: Gauge<Labels>;
  readonly brakeEngaged: Gauge<Labels>;
  readonly sourceFailing: Gauge<Labels | 'source'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.suspected = new Gauge({ name: 'costguard_runaway_suspected', help: '1 while the detector calls the guard\'s signals a runaway feedback loop.', labelNames: ['namespace', 'name'], registers });
    this.score = new Gauge({ name: 'costguard_runaway_score', help: 'How strongly the signals match the runaway signature, 0-100.', labelNames: ['namespace', 'name'], registers });
    this.brakeEngaged = new Gauge({ name: 'costguard_brake_engaged', help: '1 while the runaway brake holds the guard\'s targets (Freeze or Shed, including its stepped release).', labelNames: ['namespace', 'name'], registers });
    this.sourceFailing = new Gauge({ name: 'costguard_runaway_signal_failing', help: '1 while a signal source of the guard fails; the verdict is made without it.', labelNames: ['namespace', 'name', 'source'], registers });
  }

  set(namespace: string, name: string, v: { suspected: boolean; score: number; brake: boolean; failing: readonly string[]; sources: readonly string[] }): void {
    this.suspected.set({ namespace, name }, v.suspected ? 1 : 0);
    this.score.set({ namespace, name }, v.score);
    this.brakeEngaged.set({ namespace, name }, v.brake ? 1 : 0);
    for (const source of v.sources) this.sourceFailing.set({ namespace, name, source }, v.failing.includes(source) ? 1 : 0);
  }

  forget(namespace: string, name: string): void {
    for (const g of [this.suspected, this.score, this.brakeEngaged]) g.remove({ namespace, name });
    this.sourceFailing.remove({ namespace, name });
  }
}
