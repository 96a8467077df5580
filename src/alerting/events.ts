// Event constructors for alerts: one Event per announcement (FIRING when an incident starts
// or repeats after repeatInterval, RESOLVED when it ends), so Events follow the same dedupe
// as Slack; the recorder's 2-minute window catches the rest.
import { normalEvent, warningEvent, type EventSpec, type ObjectReference } from '../runtime/events.ts';
import type { Alert } from './notifier.ts';

export function firingEvent(regarding: ObjectReference, alert: Alert): EventSpec {
  const evidence = alert.evidence.length ? `: ${alert.evidence.join('; ')}` : '';
  const message = `[${alert.severity}] ${alert.title}${evidence}`;
  return alert.severity === 'info' ? normalEvent(regarding, 'AlertFiring', message) : warningEvent(regarding, 'AlertFiring', message);
}

export function resolvedEvent(regarding: ObjectReference, title: string, summary: string): EventSpec {
  return normalEvent(regarding, 'AlertResolved', `${title}: ${summary}`);
}

export function droppedEvent(regarding: ObjectReference, count: number): EventSpec {
  return warningEvent(regarding, 'AlertsDropped', `${count} undelivered Slack message(s) dropped: the outbox holds at most 50. See the AlertsReady condition.`);
}
