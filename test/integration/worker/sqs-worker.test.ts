// The example SQS worker as a real process against moto SQS and a local downstream that
// fails on demand: the published limit caps work in flight and follows the file live, the
// breaker opens and stops the hammering, retries stay within the budget, no message is
// lost or deleted before the downstream accepted it, and SIGTERM loses nothing.
import assert from 'node:assert/strict';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { testEnv } from '../../harness/env.ts';
import { ConfigDir, createQueue, Downstream, ExampleWorker, messagesInQueue, sendMessages, sqs, waitFor, type WorkerConfig } from './fixtures.ts';

const CONFIG: WorkerConfig = {
  perReplicaLimit: 4,
  retryBudgetPercent: 20,
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1_500 },
};

describe('example SQS worker (moto)', function () {
  this.timeout(120_000);
  let client: SQSClient;
  let downstream: Downstream;
  let config: ConfigDir;
  let workers: ExampleWorker[];
  let queueUrl: string;

  beforeEach(async function () {
    await testEnv().resetAws();
    client = sqs();
    downstream = new Downstream();
    await downstream.start();
    config = new ConfigDir();
    config.publish(CONFIG);
    workers = [];
    queueUrl = await createQueue(client, `orders-${Date.now()}`, 10);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const w of workers) console.log(w.output.join('').split('\n').slice(-30).join('\n'));
    await Promise.all(workers.map((w) => w.kill()));
    await downstream.stop();
    config.remove();
    client.destroy();
  });

  async function startWorker(extra: Record<string, string> = {}, visibilityTimeoutSeconds = 10): Promise<ExampleWorker> {
    const worker = await ExampleWorker.start({ queueUrl, downstreamUrl: downstream.url, configFile: config.file, visibilityTimeoutSeconds, extra });
    workers.push(worker);
    return worker;
  }

  /** Every message was accepted by the downstream, and the queue is empty. */
  async function waitAllDone(ids: string[]): Promise<void> {
    await waitFor(async () => ids.every((id) => downstream.succeeded.has(id)) && (await messagesInQueue(client, queueUrl)) === 0,
      `all ${ids.length} messages are processed and deleted (${downstream.succeeded.size} accepted)`, 60_000);
  }

  it('processes every message under the published limit and follows a lower limit live', async () => {
    downstream.delayMs = 300;
    const worker = await startWorker();
    assert.equal(await worker.metric('limit'), 4);
    const ids = await sendMessages(client, queueUrl, 24);
    await waitFor(() => downstream.inFlight === 4, 'the downstream sees 4 calls at once');

    config.publish({ ...CONFIG, perReplicaLimit: 1 });
    await waitFor(async () => (await worker.metric('limit')) === 1, 'the worker took the new limit');
    await waitFor(() => downstream.inFlight <= 1, 'calls in flight drained to the new limit');
    downstream.maxInFlight = downstream.inFlight;
    const acceptedBefore = downstream.succeeded.size;
    await waitFor(() => downstream.succeeded.size >= acceptedBefore + 3, 'more jobs ran under the new limit');
    assert.equal(downstream.maxInFlight, 1, 'never more than 1 call in flight after the change');

    config.publish(CONFIG);
    await waitAllDone(ids);
    assert.ok([...downstream.succeeded.values()].every((n) => n === 1), 'each message was processed once');
    const m = await worker.scrape();
    assert.equal(m.get('costguard_worker_successes_total'), 24);
    assert.equal(m.get('costguard_worker_failures_total'), 0);
    assert.equal(m.get('costguard_worker_retries_total'), 0);
  });

  it('opens the breaker on a failing downstream, keeps retries within budget, deletes nothing unprocessed, and recovers', async () => {
    downstream.mode = 'fail';
    const worker = await startWorker({ RETRY_WINDOW_MS: '600000' });
    const ids = await sendMessages(client, queueUrl, 20);

    await waitFor(async () => (await worker.metric('breaker_state{breaker="downstream"}')) === 2, 'the breaker is open');
    const callsWhenOpened = downstream.started.size === 0 ? 0 : [...downstream.started.values()].reduce((a, b) => a + b, 0);
    assert.ok(callsWhenOpened >= CONFIG.breaker.volumeThreshold, `not before volumeThreshold (${callsWhenOpened} calls)`);
    assert.equal(downstream.succeeded.size, 0);
    assert.equal(await messagesInQueue(client, queueUrl), 20, 'no message was deleted: none was processed');

    let m = await worker.scrape();
    const attempts = m.get('costguard_worker_attempts_total')!;
    const retries = m.get('costguard_worker_retries_total')!;
    assert.ok(retries * 100 <= CONFIG.retryBudgetPercent * attempts, `retries ${retries} of ${attempts} attempts`);

    // While open, the breaker lets one trial call through per reset timeout: a trickle, not a flood.
    await waitFor(() => downstream.inFlight === 0, 'calls sent before the breaker opened have answered');
    const failedAtOpen = downstream.failed;
    await waitFor(() => downstream.failed > failedAtOpen, 'a half-open trial call reached the downstream');
    await waitFor(async () => (await worker.metric('breaker_state{breaker="downstream"}')) === 2, 'the failed trial opened the breaker again');
    assert.ok(downstream.failed - failedAtOpen <= 2, `${downstream.failed - failedAtOpen} calls while the breaker was open`);

    downstream.mode = 'ok';
    await waitAllDone(ids);
    await waitFor(async () => (await worker.metric('breaker_state{breaker="downstream"}')) === 0, 'the breaker closed');
    m = await worker.scrape();
    assert.ok(m.get('costguard_worker_retries_total')! * 100 <= CONFIG.retryBudgetPercent * m.get('costguard_worker_attempts_total')!, 'within budget at the end too');
    assert.equal(m.get('costguard_worker_successes_total'), 20);
  });

  it('frozen: no retries at all, every message still processed once the downstream is back', async () => {
    config.publish({ ...CONFIG, frozen: true, breaker: { ...CONFIG.breaker, volumeThreshold: 1000 } });
    downstream.mode = 'fail';
    const worker = await startWorker({ RETRY_WINDOW_MS: '600000' });
    assert.equal(await worker.metric('frozen'), 1);
    const ids = await sendMessages(client, queueUrl, 10);
    await waitFor(async () => (await worker.metric('failures_total')) >= 10, '10 failed attempts');
    assert.equal(await worker.metric('retries_total'), 0);
    downstream.mode = 'ok';
    await waitAllDone(ids);
    assert.equal(await worker.metric('retries_total'), 0);
  });

  it('extends the visibility of slow jobs, and SIGTERM finishes the jobs in flight and loses nothing', async () => {
    downstream.delayMs = 3_500; // longer than the 2 s visibility timeout: only the extension prevents a second delivery
    const first = await startWorker({}, 2);
    const ids = await sendMessages(client, queueUrl, 10);
    await waitFor(() => downstream.inFlight === 4, '4 slow jobs in flight');
    const inFlightAtSignal = [...downstream.started.keys()];

    first.signal('SIGTERM');
    assert.equal(await first.exited, 0, 'a clean exit');
    for (const id of inFlightAtSignal) assert.equal(downstream.succeeded.get(id), 1, `job ${id}, in flight at SIGTERM, finished`);
    assert.equal(await messagesInQueue(client, queueUrl), 10 - downstream.succeeded.size, 'exactly the finished messages were deleted');
    assert.ok([...downstream.started.values()].every((n) => n === 1), 'no message was delivered twice while its job ran');

    downstream.delayMs = 0;
    await startWorker({}, 2);
    await waitAllDone(ids);
    assert.ok([...downstream.succeeded.values()].every((n) => n === 1), 'each message was processed exactly once across both workers');
  });
});
