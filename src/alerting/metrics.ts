// Prometheus metrics of the alerting path, in the manager's registry. Series about a guard
// carry its namespace and name; nothing here can carry a webhook URL (results are a fixed set).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SendOutcome } from './slack-errors.ts';

export type SentResult = SendOutcome['kind'];

export class AlertMetrics {
  readonly sent: Counter<'result'>;
  readonly fired: Counter<'namespace' | 'name' | 'severity'>;
  readonly resolved: Counter<'namespace' | 'name'>;
  readonly pending: Gauge<'namespace' | 'name'>;
  readonly dropped: Counter<'namespace' | 'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'costguard_alerts_sent_total',
      help: 'Requests to Slack webhooks by result: delivered, rate_limited, unavailable, breaker_open (no request made), payload_rejected, webhook_rejected.',
      labelNames: ['result'],
      registers,
    });
    this.fired = new Counter({
      name: 'costguard_alerts_fired_total',
      help: 'Incidents announced as FIRING (new, or again after repeatInterval), by severity.',
      labelNames: ['namespace', 'name', 'severity'],
      registers,
    });
    this.resolved = new Counter({ name: 'costguard_alerts_resolved_total', help: 'Incidents announced as RESOLVED.', labelNames: ['namespace', 'name'], registers });
    this.pending = new Gauge({ name: 'costguard_alerts_pending', help: 'Slack messages in the guard\'s outbox, not yet delivered.', labelNames: ['namespace', 'name'], registers });
    this.dropped = new Counter({
      name: 'costguard_alerts_dropped_total',
      help: 'Slack messages dropped undelivered because the guard\'s outbox was full.',
      labelNames: ['namespace', 'name'],
      registers,
    });
  }

  forget(namespace: string, name: string): void {
    this.pending.remove({ namespace, name });
  }
}
