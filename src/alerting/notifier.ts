// The Notifier port: how a concern (ceilings drift, the runaway brake, cost thresholds, the
// fleet breaker) raises and resolves an alert without knowing where alerts go. Behind it sit
// Kubernetes Events (always) and Slack (when spec.alerts.slack is set); dedupe, rate limits,
// the durable outbox and secret handling live behind it too, never in the callers.
import type { CostGuard } from '../api/v1alpha1/index.ts';

export type Severity = 'critical' | 'warning' | 'info';

export interface Alert {
  /**
   * Stable identity of the incident within the guard, e.g. "runaway", "budget/ACTUAL/100",
   * "drift/asg/orders-worker-asg". FIRING and RESOLVED of one incident share it; dedupe is by it.
   */
  incident: string;
  severity: Severity;
  /** One line: what fired. */
  title: string;
  /** The numbers behind it, one fact per entry. */
  evidence: readonly string[];
  /** What CostGuard did about it (or would do, in DryRun). */
  actions: readonly string[];
  /** How to undo or override, ideally an exact kubectl command. */
  undo?: string;
}

export interface RecordOptions {
  /**
   * Throw when the incident cannot be recorded in the durable outbox. A caller whose own state
   * (status) says the incident is firing records the outbox first and writes that state only
   * once it holds, so a crash between the two can never lose the alert.
   */
  mustRecord?: boolean;
}

export interface Notifier {
  /**
   * Announces that `alert.incident` is firing for `guard`. Idempotent: calling it again for
   * an incident that is already firing sends nothing until spec.alerts.repeatInterval passes,
   * so a level-triggered caller may ensure it on every reconcile. Never throws for delivery
   * problems (those surface as the AlertsReady condition); with mustRecord it throws when the
   * outbox itself cannot be written.
   */
  fire(guard: CostGuard, alert: Alert, opts?: RecordOptions): Promise<void>;
  /** Announces RESOLVED for a firing incident; a no-op when it is not firing. */
  resolve(guard: CostGuard, incident: string, summary: string, opts?: RecordOptions): Promise<void>;
}
