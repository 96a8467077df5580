// The Notifier behind the port: Kubernetes Events always, Slack when the guard configures it.
// fire/resolve only record the incident in the guard's outbox (dedupe by incident and
// repeatInterval), publish the Event and wake the alerts controller, which delivers the
// queued Slack messages at the webhook's pace. Nothing here waits on Slack, and nothing
// throws: a failure to record is logged and the Event still goes out.
import { parseDuration, type CostGuard } from '../api/v1alpha1/index.ts';
import { COSTGUARD_RESOURCE } from '../controllers/resources.ts';
import type { Clock } from '../runtime/clock.ts';
import { errorMessage } from '../runtime/errors.ts';
import { objectReference, type EventRecorder } from '../runtime/events.ts';
import { objectKey } from '../runtime/keys.ts';
import type { Logger } from '../runtime/logger.ts';
import { droppedEvent, firingEvent, resolvedEvent } from './events.ts';
import type { AlertMetrics } from './metrics.ts';
import type { Alert, Notifier, RecordOptions } from './notifier.ts';
import { recordFire, recordResolve, type FireResult, type Outbox } from './outbox.ts';
import { OutboxNameTaken, type OutboxStore } from './outbox-store.ts';
import type { Trigger } from './trigger.ts';

export const DEFAULT_REPEAT_INTERVAL = '1h';

export interface KubeNotifierDeps {
  store: OutboxStore;
  events: EventRecorder;
  clock: Clock;
  log: Logger;
  metrics: AlertMetrics;
  trigger: Trigger;
}

export function repeatIntervalMs(guard: CostGuard): number {
  return parseDuration(guard.spec.alerts?.repeatInterval ?? DEFAULT_REPEAT_INTERVAL);
}

export class KubeNotifier implements Notifier {
  private readonly d: KubeNotifierDeps;

  constructor(deps: KubeNotifierDeps) {
    this.d = deps;
  }

  async fire(guard: CostGuard, alert: Alert, opts: RecordOptions = {}): Promise<void> {
    const nowMs = this.d.clock.now();
    const slack = Boolean(guard.spec.alerts?.slack);
    const result = await this.record(guard, (o) => recordFire(o, alert, { nowMs, repeatMs: repeatIntervalMs(guard), slack }), { incident: alert.incident, ...opts });
    // Recording failed: still tell Kubernetes (the recorder's window dedupes the repeats).
    if (result && !result.announced) return;
    const { namespace = '', name = '' } = guard.metadata;
    this.d.metrics.fired.inc({ namespace, name, severity: alert.severity });
    await this.d.events.publish(firingEvent(objectReference(COSTGUARD_RESOURCE, guard), alert));
    await this.after(guard, result, slack);
  }

  async resolve(guard: CostGuard, incident: string, summary: string, opts: RecordOptions = {}): Promise<void> {
    const nowMs = this.d.clock.now();
    const slack = Boolean(guard.spec.alerts?.slack);
    let title = incident;
    const result = await this.record(
      guard,
      (o) => {
        title = o.incidents[incident]?.title ?? incident;
        return recordResolve(o, incident, summary, { nowMs, slack });
      },
      { incident, ...opts },
    );
    if (!result?.announced) return;
    const { namespace = '', name = '' } = guard.metadata;
    this.d.metrics.resolved.inc({ namespace, name });
    await this.d.events.publish(resolvedEvent(objectReference(COSTGUARD_RESOURCE, guard), title, summary));
    await this.after(guard, result, slack);
  }

  private async after(guard: CostGuard, result: FireResult | undefined, slack: boolean): Promise<void> {
    if (result?.dropped) {
      const { namespace = '', name = '' } = guard.metadata;
      this.d.metrics.dropped.inc({ namespace, name }, result.dropped);
      await this.d.events.publish(droppedEvent(objectReference(COSTGUARD_RESOURCE, guard), result.dropped));
    }
    if (slack && result?.changed) this.d.trigger.fire(objectKey(guard));
  }

  /** Applies `decide` to the stored outbox; undefined when the outbox could not be read or written (thrown with mustRecord). */
  private async record(guard: CostGuard, decide: (o: Outbox) => FireResult, at: { incident: string } & RecordOptions): Promise<FireResult | undefined> {
    const { incident } = at;
    let result: FireResult | undefined;
    try {
      await this.d.store.update(guard, (o) => {
        result = decide(o);
        return result.outbox;
      });
      return result;
    } catch (err) {
      this.d.log.warn({ namespace: guard.metadata.namespace, name: guard.metadata.name, incident, error: errorMessage(err) }, 'could not record alert in the outbox');
      // A name taken by someone else's ConfigMap is not transient: the alert goes to Events only
      // (as documented), and the caller's state must not wait for an outbox that cannot exist.
      if (at.mustRecord && !(err instanceof OutboxNameTaken)) throw new Error(`could not record alert ${incident} in the outbox: ${errorMessage(err)}`, { cause: err });
      return undefined;
    }
  }
}
