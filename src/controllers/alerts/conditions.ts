// Pure: the AlertsReady condition from the spec, the webhook Secret lookup and the outbox.
import { ConditionType, type CostGuardSpec } from '../../api/v1alpha1/index.ts';
import type { DeliveryProblem } from '../../alerting/outbox.ts';
import type { WebhookLookup } from '../../alerting/webhook-secret.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';

export interface AlertsObserved {
  /** Undefined without spec.alerts.slack. */
  lookup?: WebhookLookup;
  /** The outbox's last delivery problem, if it concerns the current webhook. */
  problem?: DeliveryProblem;
  /** The last request found Slack unavailable (5xx, no answer, breaker open). */
  unavailable: boolean;
}

export function alertsReady(spec: CostGuardSpec, o: AlertsObserved): ConditionInput {
  const type = ConditionType.AlertsReady;
  if (!spec.alerts?.slack) return { type, status: 'True', reason: 'EventsOnly', message: 'Alerts go to Kubernetes Events and metrics; no Slack webhook is configured.' };
  if (!o.lookup) return { type, status: 'Unknown', reason: 'Reconciling', message: 'The webhook Secret has not been read yet.' };
  if (!o.lookup.ok) return { type, status: 'False', reason: o.lookup.reason, message: o.lookup.message };
  if (o.problem) return { type, status: 'False', reason: o.problem.reason, message: o.problem.message };
  if (o.unavailable) {
    return { type, status: 'False', reason: 'SlackUnavailable', message: 'Slack did not accept messages (5xx or no answer); they wait in the outbox and are retried with backoff.' };
  }
  return { type, status: 'True', reason: 'SlackReady', message: 'Alerts go to Slack and Kubernetes Events.' };
}
