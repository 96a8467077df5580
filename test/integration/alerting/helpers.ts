// Set-up for the alerting integration tests: a manager running only the alerts controller
// (the real one, wired as the operator wires it) against the real API server, guards whose
// Slack webhook is a local sink, and the Secrets that hold its URL.
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import type { Alert, Notifier } from '../../../src/alerting/notifier.ts';
import { outboxName, OUTBOX_KEY } from '../../../src/alerting/outbox-store.ts';
import { parseOutbox, type Outbox } from '../../../src/alerting/outbox.ts';
import { setupAlerts, type AlertsOptions } from '../../../src/controllers/alerts/setup.ts';
import type { Manager } from '../../../src/runtime/manager.ts';
import { createGuard, getGuard, rest } from '../controllers/helpers.ts';
import { newManager, testConfig } from '../runtime/helpers.ts';

export { createGuard, createNamespace, eventually, eventsFor, getGuard, installCrds, kubectl, rest, waitForCondition, waitForEvents, condition } from '../controllers/helpers.ts';

export interface RunningAlerts {
  manager: Manager;
  notifier: Notifier;
  stop(): Promise<void>;
}

/** A manager with the alerts controller only, resyncing every second. */
export async function startAlerts(namespace: string, opts: AlertsOptions = {}): Promise<RunningAlerts> {
  const manager = newManager(testConfig(namespace, ['--resync-period=1s', '--graceful-shutdown-timeout=2s']));
  const alerts = setupAlerts(manager, { sender: { resetTimeoutMs: 2000, timeoutMs: 5000 }, ...opts });
  await manager.start();
  return {
    manager,
    notifier: alerts.notifier,
    stop: async () => {
      await manager.stop();
      alerts.shutdown();
    },
  };
}

export async function createSecret(namespace: string, name: string, data: Record<string, string>): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data };
  await rest().create(`/api/v1/namespaces/${namespace}/secrets`, body);
}

export async function replaceSecret(namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await rest().patch(`/api/v1/namespaces/${namespace}/secrets/${name}`, { data: null, stringData: data }, 'application/merge-patch+json');
}

/** A DryRun guard whose alerts go to the Slack webhook in Secret `secret` (key url). */
export async function slackGuard(namespace: string, name: string, slack: Record<string, unknown> = {}, alerts: Record<string, unknown> = {}): Promise<CostGuard> {
  await createGuard(namespace, name, {
    mode: 'DryRun',
    workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 5 }],
    alerts: { slack: { webhookSecretRef: { name: `${name}-slack`, key: 'url' }, ...slack }, ...alerts },
  });
  return getGuard(namespace, name);
}

export function alert(incident: string, overrides: Partial<Alert> = {}): Alert {
  return {
    incident,
    severity: 'critical',
    title: `Runaway suspected (${incident})`,
    evidence: ['capacity 4→19 (+375%) in 30m', 'receives/deletes 1.02→1.71'],
    actions: ['Froze asg/orders-worker-asg at MaxSize 19'],
    undo: 'kubectl annotate costguard orders-worker -n payments costguard.io/paused=true',
    ...overrides,
  };
}

export async function readOutbox(namespace: string, guard: string): Promise<Outbox> {
  const cm = await rest().get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/configmaps/${outboxName(guard)}`);
  return parseOutbox(cm.data?.[OUTBOX_KEY]).outbox;
}

/** The text of every block of a Slack payload, joined: what a reader of the message sees. */
export function blockText(body: unknown): string {
  const blocks = (body as { blocks?: { text?: { text: string }; elements?: { text: string }[] }[] }).blocks ?? [];
  return blocks.map((b) => b.text?.text ?? (b.elements ?? []).map((e) => e.text).join(' ')).join('\n');
}

/** Reconciles of the alerts controller so far (a positive signal that time has passed for it). */
export async function alertsReconciles(manager: Manager): Promise<number> {
  const metric = await manager.metrics.reconcileTotal.get();
  return metric.values.filter((v) => v.labels.controller === 'alerts').reduce((sum, v) => sum + v.value, 0);
}
