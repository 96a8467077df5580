// What to do with a message whose job did not succeed. Pure, so the rules are tested as a
// table. A message is never deleted unless its job succeeded: it goes back to the queue,
// either at once (a retry the budget granted) or after a pause (parked), and the queue's
// redrive policy moves it to the dead-letter queue after maxReceiveCount deliveries.

export type FailureKind =
  /** The worker's backlog was full: the job never ran. */
  | 'backlogFull'
  /** The breaker was open: the downstream was not called. */
  | 'breakerOpen'
  /** The downstream refused this message (4xx): retrying it now will not help. */
  | 'rejected'
  /** The downstream failed or timed out. */
  | 'failed';

export interface ReleaseTimes {
  /** Seconds a message waits when no retry is granted. */
  parkSeconds: number;
  /** Seconds the breaker stays open before its trial call. */
  breakerResetSeconds: number;
}

export interface Release {
  /** The message's new visibility timeout; 0 = receivable again now. */
  visibilityTimeout: number;
  /** Whether this counts as a retry (granted by the budget). */
  retry: boolean;
  reason: string;
}

/**
 * `askRetry` is called only for a failure a retry could fix, and at most once: asking
 * consumes budget when it is granted.
 */
export function releaseFor(kind: FailureKind, askRetry: () => boolean, times: ReleaseTimes): Release {
  switch (kind) {
    case 'backlogFull':
      return { visibilityTimeout: 0, retry: false, reason: 'not attempted: the backlog was full' };
    case 'breakerOpen':
      return { visibilityTimeout: times.breakerResetSeconds, retry: false, reason: 'the breaker is open: wait until it lets a trial call through' };
    case 'rejected':
      return { visibilityTimeout: times.parkSeconds, retry: false, reason: 'the downstream rejected the message: parked (dead-letter after maxReceiveCount)' };
    case 'failed':
      return askRetry()
        ? { visibilityTimeout: 0, retry: true, reason: 'retry granted by the budget' }
        : { visibilityTimeout: times.parkSeconds, retry: false, reason: 'retry budget spent or brake engaged: parked' };
  }
}
