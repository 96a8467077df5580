// The incident's worker loop, on the real worker library (costguard/worker) and real SQS
// messages from moto. It behaves like the postmortem's worker: a job that fails or times out
// leaves its message in the queue, and SQS delivers it again after its visibility timeout —
// that redelivery is the retry the incident multiplied. What the library adds:
// - the concurrency limit (receive only as many messages as there are free slots);
// - the retry budget: a failed message is released at once only when the budget grants it;
// - `frozen` (the guard's brake): a redelivered message is parked, not worked again, so the
//   fleet stops paying for retries while the brake holds.
// An attempt on a message SQS delivered before counts in costguard_worker_retries_total.
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Worker } from '../../src/worker/index.ts';
import { EvenShare } from './variation.ts';

export interface ConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  worker: Worker;
  downstreamUrl: string;
  /** A downstream call slower than this fails (ms). */
  timeoutMs: number;
  visibilityTimeoutSeconds: number;
  /** How long a redelivered message is put aside while the brake holds (s). */
  parkSeconds: number;
  /** A new instance of an instance refresh: until `until` (ms epoch) it fails `failShare` of its calls (cold caches and connections). */
  coldStart?: { until: number; failShare: number };
}

export interface ConsumerCounts {
  received: number;
  deleted: number;
  parked: number;
}

export class DemoConsumer {
  readonly counts: ConsumerCounts = { received: 0, deleted: 0, parked: 0 };
  readonly #o: ConsumerOptions;
  readonly #stop = new AbortController();
  readonly #jobs = new Set<Promise<void>>();
  readonly #cold = new EvenShare();
  #loop: Promise<void> | undefined;

  constructor(options: ConsumerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#receiveLoop();
  }

  /** Stops receiving and abandons the jobs in flight: their messages come back after the visibility timeout. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await Promise.allSettled([...this.#jobs]);
  }

  async #receiveLoop(): Promise<void> {
    const { worker } = this.#o;
    const stopped = this.#stop.signal;
    const stopping = aborted(stopped);
    while (!stopped.aborted) {
      await Promise.race([worker.limiter.whenAvailable(), stopping]);
      const max = Math.min(10, worker.limiter.available);
      if (max <= 0 || stopped.aborted) continue;
      for (const message of await this.#receive(max)) this.#track(this.#handle(message));
    }
  }

  async #receive(max: number): Promise<Message[]> {
    const { sqs, queueUrl, visibilityTimeoutSeconds } = this.#o;
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 1, VisibilityTimeout: visibilityTimeoutSeconds, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
        { abortSignal: this.#stop.signal },
      );
      const messages = out.Messages ?? [];
      this.counts.received += messages.length;
      return messages;
    } catch {
      if (!this.#stop.signal.aborted) await new Promise((r) => setTimeout(r, 200));
      return [];
    }
  }

  #track(job: Promise<void>): void {
    this.#jobs.add(job);
    void job.finally(() => this.#jobs.delete(job));
  }

  async #handle(message: Message): Promise<void> {
    const { worker } = this.#o;
    const redelivered = Number(message.Attributes?.ApproximateReceiveCount ?? '1') > 1;
    if (redelivered && worker.retryBudget.frozen) return this.#settle(message, this.#o.parkSeconds, 'parked');
    if (redelivered) worker.metrics.counts.retries++;
    try {
      await worker.run(() => this.#call(message));
    } catch {
      // Failed or timed out: released now when the retry budget grants it, else the message
      // reappears when its visibility timeout runs out (SQS's own retry).
      if (worker.retryBudget.tryRetry()) await this.#settle(message, 0);
      return;
    }
    await this.#delete(message);
  }

  async #call(message: Message): Promise<void> {
    const cold = this.#o.coldStart;
    if (cold && Date.now() < cold.until && this.#cold.pick(cold.failShare)) throw new Error('not warmed up yet');
    const res = await fetch(this.#o.downstreamUrl, { method: 'POST', body: message.Body ?? '', signal: AbortSignal.timeout(this.#o.timeoutMs) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`downstream answered HTTP ${res.status}`);
  }

  async #delete(message: Message): Promise<void> {
    try {
      await this.#o.sqs.send(new DeleteMessageCommand({ QueueUrl: this.#o.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      this.counts.deleted += 1;
    } catch {
      // Stays in the queue; comes back after its visibility timeout.
    }
  }

  async #settle(message: Message, visibilityTimeout: number, count?: 'parked'): Promise<void> {
    try {
      await this.#o.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.#o.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: visibilityTimeout }));
      if (count) this.counts[count] += 1;
    } catch {
      // The receipt expired meanwhile: SQS redelivers it on its own.
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
