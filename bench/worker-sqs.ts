// Jobs per second of an SQS consumer against moto, with and without the worker library,
// side by side: the example worker's consumer on costguard/worker, and a minimal consumer
// on bare p-limit + opossum with the same receive → POST → delete flow. The downstream is
// a local HTTP server that answers at once, so moto's SQS is the bottleneck for both.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import CircuitBreaker from 'opossum';
import pLimit from 'p-limit';
import { createWorker } from 'costguard/worker';
import { SqsConsumer } from '../examples/sqs-worker/consumer.ts';
import { callDownstream, isClientError } from '../examples/sqs-worker/downstream.ts';

export interface SqsThroughput {
  messages: number;
  concurrency: number;
  bareJobsPerSecond: number;
  libraryJobsPerSecond: number;
}

async function startDownstream(onRequest: () => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onRequest();
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function fillQueue(sqs: SQSClient, name: string, n: number): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '30' } }));
  const limit = pLimit(8);
  await Promise.all(Array.from({ length: Math.ceil(n / 10) }, (_, b) => limit(() => sqs.send(new SendMessageBatchCommand({
    QueueUrl,
    Entries: Array.from({ length: Math.min(10, n - b * 10) }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"job":${b * 10 + i}}` })),
  })))));
  return QueueUrl!;
}

/** The bare consumer: p-limit + opossum, receive what fits, POST, delete. */
interface Target {
  sqs: SQSClient;
  queueUrl: string;
  downstreamUrl: string;
  concurrency: number;
}

async function bareConsumer({ sqs, queueUrl, downstreamUrl, concurrency }: Target, done: () => boolean): Promise<void> {
  const limit = pLimit(concurrency);
  const breaker = new CircuitBreaker((m: Message) => callDownstream({ url: downstreamUrl, timeoutMs: 10_000 }, m.MessageId!, m.Body!), { volumeThreshold: 10, errorFilter: isClientError });
  const inFlight = new Set<Promise<unknown>>();
  while (!done()) {
    const free = concurrency - limit.activeCount - limit.pendingCount;
    if (free <= 0) {
      await Promise.race(inFlight);
      continue;
    }
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, free), WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) {
      const work = limit(() => breaker.fire(m))
        .then(() => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle })))
        .catch(() => undefined)
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
  }
  await Promise.all(inFlight);
  breaker.shutdown();
}

async function libraryConsumer({ sqs, queueUrl, downstreamUrl, concurrency }: Target, done: () => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'costguard-bench-sqs-'));
  const configPath = join(dir, 'worker.json');
  writeFileSync(configPath, JSON.stringify({ version: 1, perReplicaLimit: concurrency, frozen: false, retryBudgetPercent: 10, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 } }));
  const worker = createWorker({ configPath, metricsPort: false, log: () => undefined });
  await worker.start();
  const breaker = worker.breaker('downstream', (id: string, body: string) => callDownstream({ url: downstreamUrl, timeoutMs: 10_000 }, id, body), { errorFilter: isClientError });
  const consumer = new SqsConsumer({ sqs, queueUrl, worker, breaker, log: () => undefined, visibilityTimeoutSeconds: 30, waitTimeSeconds: 1, parkSeconds: 60 });
  consumer.start();
  await done();
  await consumer.stop();
  await worker.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Needs AWS_ENDPOINT_URL (moto) in the environment. */
export async function sqsThroughput(options: { messages?: number; concurrency?: number } = {}): Promise<SqsThroughput> {
  const messages = options.messages ?? 200;
  const concurrency = options.concurrency ?? 16;
  const sqs = new SQSClient({});
  let handled = 0;
  const { url, server } = await startDownstream(() => handled++);
  const run = async (variant: 'bare' | 'library'): Promise<number> => {
    const queueUrl = await fillQueue(sqs, `bench-${variant}-${Date.now()}`, messages);
    handled = 0;
    const start = performance.now();
    const target = { sqs, queueUrl, downstreamUrl: url, concurrency };
    if (variant === 'bare') await bareConsumer(target, () => handled >= messages);
    else await libraryConsumer(target, () => until(() => handled >= messages));
    const seconds = (performance.now() - start) / 1000;
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    return messages / seconds;
  };
  try {
    // alternating, so a drift in moto's speed on a busy machine hits both the same
    const bare: number[] = [];
    const library: number[] = [];
    for (const variant of ['bare', 'library', 'library', 'bare', 'bare', 'library'] as const) {
      (variant === 'bare' ? bare : library).push(await run(variant));
    }
    return { messages, concurrency, bareJobsPerSecond: median(bare), libraryJobsPerSecond: median(library) };
  } finally {
    server.close();
    sqs.destroy();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      if (check()) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
}
