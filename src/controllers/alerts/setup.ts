// Wiring of the alerting path for the operator: one outbox store, one Slack sender (breakers),
// one webhook gate (pace) and one set of metrics per manager; the Notifier other concerns
// call, and the alerts controller that delivers and reports AlertsReady.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { KubeNotifier } from '../../alerting/kube-notifier.ts';
import { AlertMetrics } from '../../alerting/metrics.ts';
import type { Notifier } from '../../alerting/notifier.ts';
import { OutboxStore } from '../../alerting/outbox-store.ts';
import { SlackSender, type SenderOptions } from '../../alerting/slack-sender.ts';
import { Trigger } from '../../alerting/trigger.ts';
import { WebhookGate } from '../../alerting/webhook-gate.ts';
import type { Manager } from '../../runtime/manager.ts';
import { COSTGUARD_RESOURCE } from '../resources.ts';
import { AlertsReconciler, alertsConcern } from './controller.ts';

export interface AlertsOptions {
  sender?: SenderOptions;
  /** Minimum time between two requests to one webhook; default 1.1 s. */
  webhookIntervalMs?: number;
}

export interface Alerts {
  notifier: Notifier;
  /** Stops the breakers' timers (after the manager stopped). */
  shutdown(): void;
}

/** Registers the alerts controller on `manager` (before start) and returns the Notifier. */
export function setupAlerts(manager: Manager, opts: AlertsOptions = {}): Alerts {
  const guards = manager.informer<CostGuard>(COSTGUARD_RESOURCE);
  const store = new OutboxStore(manager.rest);
  const metrics = new AlertMetrics(manager.metrics.registry);
  const sender = new SlackSender({ now: () => manager.clock.now(), ...opts.sender });
  const trigger = new Trigger();
  const notifier = new KubeNotifier({ store, events: manager.events, clock: manager.clock, log: manager.log.child({ component: 'notifier' }), metrics, trigger });
  const reconciler = new AlertsReconciler({ guards, rest: manager.rest, store, metrics, sender, gate: new WebhookGate(opts.webhookIntervalMs), clock: manager.clock });
  // Guards without alerts are not queued by the resync; the notifier's trigger still wakes any guard.
  manager.addController(reconciler, { for: COSTGUARD_RESOURCE, sources: [trigger.source], concerns: (o) => alertsConcern(o as CostGuard) });
  return { notifier, shutdown: () => sender.shutdown() };
}
