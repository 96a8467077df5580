// An SQS consumer on costguard/worker.
//
// - Receives only as many messages as the concurrency limit has free slots (long polling),
//   so the published per-replica limit bounds both work in flight and messages held.
// - Stops receiving while the downstream's breaker is open, and takes one message for the
//   half-open trial call.
// - Extends a message's visibility timeout while its job runs (slow jobs are not
//   redelivered to another replica mid-way), deletes it only after the job succeeded, and
//   otherwise releases it by the rules in release.ts (a retry within budget, or parked).
// - stop(): stops receiving (the long poll is aborted), lets every job in flight finish and
//   settle its message, then resolves.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BacklogFullError, isBreakerOpenError, type Breaker, type Worker, type WorkerLog } from 'costguard/worker';
import { isClientError } from './downstream.ts';
import { releaseFor, type FailureKind } from './release.ts';

export interface ConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  worker: Worker;
  /** The breaker around the downstream call; its action takes (messageId, body). */
  breaker: Breaker<[string, string], void>;
  log: WorkerLog;
  visibilityTimeoutSeconds: number;
  waitTimeSeconds: number;
  parkSeconds: number;
}

const MAX_BATCH = 10; // SQS's limit per ReceiveMessage
const ERROR_PAUSE_MS = 1_000;

export class SqsConsumer {
  readonly #o: ConsumerOptions;
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;

  constructor(options: ConsumerOptions) {
    this.#o = options;
  }

  /** Starts the receive loop. */
  start(): void {
    this.#loop ??= this.#receiveLoop();
  }

  /** Stops receiving and resolves once every received message is settled. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #receiveLoop(): Promise<void> {
    const { worker, breaker } = this.#o;
    const stopped = this.#stop.signal;
    while (!stopped.aborted) {
      await abortable(worker.limiter.whenAvailable(), stopped);
      if (breaker.state === 'open') {
        await nextEvent(breaker, ['halfOpen', 'close'], stopped);
        continue;
      }
      if (breaker.state === 'halfOpen' && this.#inFlight.size > 0) {
        // one trial call at a time: wait for it (or for the breaker to move) before taking more
        await abortable(Promise.race([nextEvent(breaker, ['open', 'close'], stopped), ...this.#inFlight]), stopped);
        continue;
      }
      const max = breaker.state === 'halfOpen' ? 1 : Math.min(MAX_BATCH, worker.limiter.available);
      if (max === 0 || stopped.aborted) continue;
      for (const message of await this.#receive(max)) this.#track(this.#process(message));
    }
  }

  async #receive(max: number): Promise<Message[]> {
    const { sqs, queueUrl, visibilityTimeoutSeconds, waitTimeSeconds, log } = this.#o;
    try {
      const out = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }), { abortSignal: this.#stop.signal });
      return out.Messages ?? [];
    } catch (err) {
      if (this.#stop.signal.aborted) return []; // the long poll was cut short by stop()
      log({ level: 'warn', msg: 'ReceiveMessage failed', error: (err as Error).message });
      await abortable(delay(ERROR_PAUSE_MS), this.#stop.signal);
      return [];
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #process(message: Message): Promise<void> {
    const { worker, breaker, log } = this.#o;
    const heartbeat = this.#keepInvisible(message);
    let failure: FailureKind | undefined;
    try {
      await worker.run(() => breaker.fire(message.MessageId ?? '', message.Body ?? ''));
    } catch (err) {
      failure = classify(err);
      if (failure === 'failed') log({ level: 'warn', msg: 'job failed', messageId: message.MessageId, error: (err as Error).message });
    } finally {
      clearInterval(heartbeat);
    }
    try {
      if (failure === undefined) await this.#delete(message);
      else await this.#release(message, failure);
    } catch (err) {
      // The message stays in the queue and comes back after its visibility timeout.
      log({ level: 'warn', msg: 'could not settle the message', messageId: message.MessageId, error: (err as Error).message });
    }
  }

  /** Extends the message's visibility every half timeout while its job runs. */
  #keepInvisible(message: Message): NodeJS.Timeout {
    const { sqs, queueUrl, visibilityTimeoutSeconds, log } = this.#o;
    return setInterval(() => {
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: visibilityTimeoutSeconds }))
        .catch((err: unknown) => log({ level: 'warn', msg: 'could not extend the visibility timeout', messageId: message.MessageId, error: (err as Error).message }));
    }, (visibilityTimeoutSeconds * 1000) / 2);
  }

  #delete(message: Message): Promise<unknown> {
    return this.#o.sqs.send(new DeleteMessageCommand({ QueueUrl: this.#o.queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }

  async #release(message: Message, failure: FailureKind): Promise<void> {
    const { sqs, queueUrl, worker, parkSeconds } = this.#o;
    const breakerResetSeconds = Math.ceil(worker.settings.breaker.resetTimeoutMs / 1000);
    const release = releaseFor(failure, () => worker.tryRetry(), { parkSeconds, breakerResetSeconds });
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: release.visibilityTimeout }));
  }
}

function classify(err: unknown): FailureKind {
  if (err instanceof BacklogFullError) return 'backlogFull';
  if (isBreakerOpenError(err)) return 'breakerOpen';
  return isClientError(err) ? 'rejected' : 'failed';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `promise` settles or `signal` aborts, whichever comes first. */
function abortable(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}

/** Resolves on the first of `events`, or when `signal` aborts. */
function nextEvent(emitter: Breaker<[string, string], void>, events: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const e of events) emitter.off(e, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    for (const e of events) emitter.on(e, done);
    signal.addEventListener('abort', done, { once: true });
    if (signal.aborted) done();
  });
}
