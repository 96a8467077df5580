// A way for the notifier to wake the alerts controller for one guard the moment a message is
// queued (controller-runtime's channel source), instead of waiting for the next resync.
import type { Source } from '../runtime/controller-group.ts';

export class Trigger {
  private readonly subscribers = new Set<(key: string) => void>();

  /** Enqueues `key` in every controller that uses `source`. */
  fire(key: string): void {
    for (const enqueue of this.subscribers) enqueue(key);
  }

  readonly source: Source = (enqueue) => {
    this.subscribers.add(enqueue);
    return () => this.subscribers.delete(enqueue);
  };
}
