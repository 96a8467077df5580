// One SQS standard queue with a redrive policy, message by message, as the SQS Developer Guide
// describes it:
// - ReceiveMessage hands out a visible message, increments its ApproximateReceiveCount and
//   hides it for the visibility timeout under a new receipt handle.
// - DeleteMessage with the latest receipt handle removes it. After the timeout has run out and
//   the message was received again, the old handle no longer deletes it (the first worker's
//   work was wasted, and the message is processed twice).
// - A message whose receive count would exceed maxReceiveCount is moved to the dead-letter
//   queue instead of being delivered.
// - A standard queue orders on a best-effort basis only: a receive takes any visible message
//   (here: one chosen at random), so a message that came back competes with the backlog.
// - A delete with the latest handle after the timeout ran out, before anyone received the
//   message again, still deletes it.
import type { Calendar } from './clock.ts';

export interface Message {
  readonly id: number;
  receiveCount: number;
  /** Bumped on every receive: a receipt handle is valid only while it matches. */
  receipt: number;
  deleted: boolean;
  inFlight: boolean;
}

/** What CloudWatch's AWS/SQS metrics and the DLQ depth count, per sampling interval. */
export interface QueueCounters {
  sent: number;
  received: number;
  deleted: number;
  dlqIn: number;
}

export const zeroQueueCounters = (): QueueCounters => ({ sent: 0, received: 0, deleted: 0, dlqIn: 0 });

export class SqsQueue {
  private readonly visible: Message[] = [];
  private nextId = 0;
  private inFlightCount = 0;
  counters = zeroQueueCounters();

  private readonly calendar: Calendar;
  private readonly visibilityTimeout: number;
  private readonly maxReceiveCount: number;
  private readonly rand: () => number;

  constructor(calendar: Calendar, visibilityTimeout: number, maxReceiveCount: number, rand: () => number) {
    this.calendar = calendar;
    this.rand = rand;
    this.visibilityTimeout = visibilityTimeout;
    this.maxReceiveCount = maxReceiveCount;
  }

  send(): void {
    this.visible.push({ id: this.nextId++, receiveCount: 0, receipt: 0, deleted: false, inFlight: false });
    this.counters.sent++;
  }

  /** ApproximateNumberOfMessagesVisible. */
  get visibleCount(): number {
    return this.visible.length;
  }

  /** ApproximateNumberOfMessagesNotVisible. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The next message with its receipt, or undefined when none is visible. */
  receive(): { message: Message; receipt: number } | undefined {
    for (;;) {
      const message = this.take();
      if (!message) return undefined;
      if (message.deleted) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.counters.dlqIn++;
        continue;
      }
      message.receiveCount++;
      message.receipt++;
      this.counters.received++;
      this.inFlightCount++;
      message.inFlight = true;
      const receipt = message.receipt;
      this.calendar.after(this.visibilityTimeout, () => this.expire(message, receipt));
      return { message, receipt };
    }
  }

  /** DeleteMessage: true when the receipt is still the message's latest. */
  delete(message: Message, receipt: number): boolean {
    if (message.deleted || message.receipt !== receipt) return false;
    message.deleted = true;
    if (message.inFlight) this.inFlightCount--;
    message.inFlight = false;
    this.counters.deleted++;
    return true;
  }

  /** The visibility timeout ran out on this receipt: the message is visible again. */
  private expire(message: Message, receipt: number): void {
    if (message.deleted || message.receipt !== receipt) return;
    this.inFlightCount--;
    message.inFlight = false;
    this.visible.push(message);
  }

  /** Any visible message, chosen at random (swap-remove keeps it O(1)). */
  private take(): Message | undefined {
    const n = this.visible.length;
    if (!n) return undefined;
    const i = Math.floor(this.rand() * n);
    const m = this.visible[i]!;
    this.visible[i] = this.visible[n - 1]!;
    this.visible.pop();
    return m;
  }
}
