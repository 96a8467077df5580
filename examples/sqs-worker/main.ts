// The example SQS worker: consumes a queue and POSTs each message to a downstream HTTP
// service, under the concurrency limit, breaker settings and retry budget a CostGuard
// publishes. Configured by environment variables (see README.md); the AWS SDK finds its
// region, credentials and endpoint (AWS_ENDPOINT_URL) the standard way.
//
// SIGTERM or SIGINT: stop receiving, finish the jobs in flight, settle their messages,
// save the breaker state, exit 0.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createWorker, stderrLog } from 'costguard/worker';
import { SqsConsumer } from './consumer.ts';
import { callDownstream, isClientError } from './downstream.ts';
import { readSettings } from './env.ts';

async function main(): Promise<void> {
  const env = readSettings(process.env);
  const log = stderrLog;
  const worker = createWorker({
    metricsPort: env.metricsPort,
    breakerStateDir: env.breakerStateDir,
    retryWindowMs: env.retryWindowMs,
    defaults: { perReplicaLimit: env.defaultLimit },
    log,
  });
  const breaker = worker.breaker(
    'downstream',
    (messageId: string, body: string) => callDownstream({ url: env.downstreamUrl, timeoutMs: env.downstreamTimeoutMs }, messageId, body),
    { errorFilter: isClientError, timeoutMs: env.downstreamTimeoutMs },
  );
  await worker.start();
  const consumer = new SqsConsumer({
    sqs: new SQSClient({}),
    queueUrl: env.queueUrl,
    worker,
    breaker,
    log,
    visibilityTimeoutSeconds: env.visibilityTimeoutSeconds,
    waitTimeSeconds: env.waitTimeSeconds,
    parkSeconds: env.parkSeconds,
  });
  consumer.start();
  log({ level: 'info', msg: 'sqs-worker started', queueUrl: env.queueUrl, metricsPort: worker.metricsPort, limit: worker.limiter.limit });

  const shutdown = async (signal: string): Promise<void> => {
    log({ level: 'info', msg: 'sqs-worker stopping: no new messages, finishing the jobs in flight', signal, inFlight: worker.limiter.activeCount });
    await consumer.stop();
    await worker.close();
    log({ level: 'info', msg: 'sqs-worker stopped' });
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal));
}

main().catch((err: unknown) => {
  stderrLog({ level: 'error', msg: 'sqs-worker failed to start', error: (err as Error).message });
  process.exit(1);
});
