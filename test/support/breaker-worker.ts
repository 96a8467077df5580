// A real worker process for the fleet breaker view's tests: the costguard/worker library,
// through its public package export only, serving /metrics on METRICS_HOST:METRICS_PORT, with
// the settings file COSTGUARD_CONFIG and one breaker named BREAKER_NAME around a stand-in
// downstream that the test makes fail or recover with lines on stdin:
//   fail     the downstream starts failing; calls go through the breaker until it opens
//   recover  the downstream answers again; the breaker's next half-open trial closes it
// Like a worker with a backlog, it fires a call the moment its breaker goes half-open, so
// the trial sees the downstream as it is now: a failing one reopens the breaker at once.
// It prints `listening <port>` when /metrics is up and `state <open|halfOpen|closed>` on every
// transition, and exits when stdin closes (the test process went away) or on SIGTERM.
import { createInterface } from 'node:readline';
import { createWorker } from 'costguard/worker';

/** More than enough calls to reach any volumeThreshold the tests publish. */
const MAX_CALLS_TO_OPEN = 200;

let failing = false;
const worker = createWorker({
  metricsHost: process.env.METRICS_HOST ?? '127.0.0.1',
  metricsPort: Number(process.env.METRICS_PORT ?? '0'),
  pollIntervalMs: 1000,
  log: () => {},
});
const downstream = worker.breaker(process.env.BREAKER_NAME ?? 'downstream', () => (failing ? Promise.reject(new Error('downstream unavailable')) : Promise.resolve('ok')), { timeoutMs: false });

const call = (): Promise<unknown> => worker.run(() => downstream.fire()).catch(() => undefined);

for (const state of ['open', 'halfOpen', 'close'] as const) {
  downstream.on(state, () => process.stdout.write(`state ${state === 'close' ? 'closed' : state}\n`));
}
downstream.on('halfOpen', () => void call());

async function failUntilOpen(): Promise<void> {
  failing = true;
  for (let i = 0; i < MAX_CALLS_TO_OPEN && downstream.state !== 'open'; i++) await call();
  if (downstream.state !== 'open') process.stdout.write(`error the breaker did not open after ${MAX_CALLS_TO_OPEN} failures\n`);
}

async function shutdown(): Promise<void> {
  await worker.close({ drain: false });
  process.exit(0);
}

await worker.start();
process.stdout.write(`listening ${worker.metricsPort}\n`);
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line === 'fail') void failUntilOpen();
    else if (line === 'recover') failing = false;
  })
  .on('close', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
