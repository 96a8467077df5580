// Prometheus metrics of the cost controller, in dollars (Prometheus values are floats; the
// exact decimal lives in status).
import { Gauge, type Registry } from 'prom-client';

type Labels = 'namespace' | 'name';

export class CostMetrics {
  readonly estimated: Gauge<Labels>;
  readonly worstCase: Gauge<Labels>;
  readonly unpriced: Gauge<Labels>;
  readonly budgetPercent: Gauge<Labels>;
  readonly anomaly: Gauge<Labels>;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string): Gauge<Labels> => new Gauge({ name, help, labelNames: ['namespace', 'name'], registers: [registry] });
    this.estimated = gauge('costguard_cost_estimated_hourly_usd', 'Live USD/h estimate of the capacity a CostGuard watches (priced instances only).');
    this.worstCase = gauge('costguard_cost_worst_case_hourly_usd', 'USD/h if every group ran at its ceiling with its most expensive instance type.');
    this.unpriced = gauge('costguard_cost_unpriced_instance_types', 'Instance types in use or launchable that have no price (left out of the estimate).');
    this.budgetPercent = gauge('costguard_cost_budget_percent', 'Forecast (or actual, if higher) spend as a percentage of the AWS Budget limit.');
    this.anomaly = gauge('costguard_cost_anomaly', '1 while the spend-change anomaly condition is True.');
  }

  forget(namespace: string, name: string): void {
    for (const g of [this.estimated, this.worstCase, this.unpriced, this.budgetPercent, this.anomaly]) g.remove({ namespace, name });
  }
}
