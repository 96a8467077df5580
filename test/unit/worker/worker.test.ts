import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import { BacklogFullError, createWorker, resolveConfigPath, type Worker, type WorkerOptions } from '../../../src/worker/index.ts';
import { deferred, published, recordingLog, settle, TempDir, type Published } from './fixtures.ts';

const POLL_MS = 5_000;

interface Setup {
  worker: Worker;
  clock: FakeClock;
  dir: TempDir;
  log: ReturnType<typeof recordingLog>;
  publish(doc: Published | string): void;
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
}

async function setup(initial: Published | string | undefined, options: Partial<WorkerOptions> = {}): Promise<Setup> {
  const dir = new TempDir();
  const clock = new FakeClock();
  const log = recordingLog();
  const configPath = dir.file('worker.json');
  const publish = (doc: Published | string): void => void dir.write('worker.json', doc);
  if (initial !== undefined) publish(initial);
  const worker = createWorker({ configPath, clock, log: log.log, watch: false, metricsPort: false, pollIntervalMs: POLL_MS, ...options });
  await worker.start();
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const all = await worker.metrics.registry.getMetricsAsJSON();
    const found = all.find((m) => m.name === `costguard_worker_${name}`);
    const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return value?.value;
  };
  return { worker, clock, dir, log, publish, metric };
}

describe('worker (createWorker)', () => {
  let s: Setup;
  afterEach(async () => {
    await s.worker.close({ drain: false });
    s.dir.remove();
  });

  it('takes the published limit at start and follows a change for new work without dropping work in flight', async () => {
    s = await setup(published({ perReplicaLimit: 4 }));
    assert.equal(s.worker.limiter.limit, 4);
    const gates = Array.from({ length: 8 }, () => deferred());
    const started: number[] = [];
    const results = gates.map((g, i) => s.worker.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }));
    await settle();
    assert.equal(s.worker.limiter.activeCount, 4);

    s.publish(published({ perReplicaLimit: 2 }));
    await s.clock.advance(POLL_MS - 1);
    assert.equal(s.worker.limiter.limit, 4, 'not before the poll');
    await s.clock.advance(1);
    assert.equal(s.worker.limiter.limit, 2, 'in effect within one poll interval');
    assert.equal(await s.metric('limit'), 2);
    assert.equal(s.worker.limiter.activeCount, 4, 'the 4 running jobs go on');

    for (const i of [0, 1, 2]) gates[i]!.resolve();
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'only 2 run under the new limit');
    for (const g of gates) g.resolve();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6, 7], 'no job was lost');
    assert.equal(await s.metric('attempts_total'), 8);
    assert.equal(await s.metric('successes_total'), 8);
  });

  it('keeps the last good settings when the file turns corrupt, counts and logs it once', async () => {
    s = await setup(published({ perReplicaLimit: 6, retryBudgetPercent: 30 }));
    s.publish('{"version":1,"perReplicaLimit":');
    await s.clock.advance(POLL_MS);
    s.publish(published({ perReplicaLimit: 0 }));
    await s.clock.advance(POLL_MS);
    await s.clock.advance(POLL_MS);
    assert.equal(s.worker.limiter.limit, 6);
    assert.equal(s.worker.settings.retryBudgetPercent, 30);
    assert.equal(await s.metric('config_errors_total'), 3, 'every failed load is counted');
    const warnings = s.log.entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 2, 'one log line per distinct problem, not per poll');
    assert.match(String(warnings[0]!.error), /not JSON/);
    assert.match(String(warnings[1]!.error), /perReplicaLimit must be between 1/);
    assert.equal(s.worker.config.lastError !== undefined, true);

    s.publish(published({ perReplicaLimit: 3 }));
    await s.clock.advance(POLL_MS);
    assert.equal(s.worker.limiter.limit, 3);
    assert.equal(s.worker.config.lastError, undefined);
    assert.ok(s.log.entries.some((e) => e.level === 'info' && /valid again/.test(e.msg)));
    assert.equal(await s.metric('config_last_success_timestamp_seconds'), s.clock.now() / 1000);
  });

  it('starts on the defaults when the file is missing, and never at 0 or infinity', async () => {
    s = await setup(undefined, { defaults: { perReplicaLimit: 3 } });
    assert.equal(s.worker.limiter.limit, 3);
    assert.equal(await s.metric('config_errors_total'), 1);
    assert.equal(await s.metric('config_last_success_timestamp_seconds'), 0, '0 until a file was read successfully');
    assert.match(String(s.log.entries[0]!.error), /does not exist/);
    s.publish('{"version":1,"perReplicaLimit":1e999,"frozen":false,"retryBudgetPercent":10,"breaker":{}}');
    await s.clock.advance(POLL_MS);
    assert.equal(s.worker.limiter.limit, 3);
  });

  it('frozen stops retries; the budget otherwise holds retries to N % of attempts', async () => {
    s = await setup(published({ retryBudgetPercent: 25 }));
    for (let i = 0; i < 8; i++) await s.worker.run(() => Promise.reject(new Error('down'))).catch(() => undefined);
    assert.equal(s.worker.tryRetry(), true);
    assert.equal(s.worker.tryRetry(), true);
    assert.equal(s.worker.tryRetry(), false, '3 of 8 would pass 25 %');
    assert.equal(await s.metric('retries_total'), 2);
    assert.equal(await s.metric('failures_total'), 8);

    for (let i = 0; i < 100; i++) await s.worker.run(() => 'ok');
    s.publish(published({ retryBudgetPercent: 25, frozen: true }));
    await s.clock.advance(POLL_MS);
    assert.equal(await s.metric('frozen'), 1);
    assert.equal(s.worker.tryRetry(), false, 'no retries at all while frozen');
    assert.equal(await s.metric('retries_total'), 2);
    s.publish(published({ retryBudgetPercent: 25, frozen: false }));
    await s.clock.advance(POLL_MS);
    assert.equal(s.worker.tryRetry(), true);
  });

  it('applies published breaker settings to named breakers and reports their state', async () => {
    s = await setup(published({ breaker: { volumeThreshold: 3 } }));
    const breaker = s.worker.breaker('payments', () => Promise.reject(new Error('503')), { timeoutMs: false });
    for (let i = 0; i < 2; i++) await breaker.fire().catch(() => undefined);
    assert.equal(await s.metric('breaker_state', { breaker: 'payments' }), 0);
    await breaker.fire().catch(() => undefined);
    assert.equal(await s.metric('breaker_state', { breaker: 'payments' }), 2);
  });

  it('rejects past the backlog without counting an attempt', async () => {
    s = await setup(published({ perReplicaLimit: 1 }), { maxPending: 1 });
    const gate = deferred();
    const first = s.worker.run(() => gate.promise);
    const second = s.worker.run(() => 'queued');
    await assert.rejects(s.worker.run(() => 'overflow'), BacklogFullError);
    gate.resolve();
    await first;
    assert.equal(await second, 'queued');
    assert.equal(await s.metric('attempts_total'), 2);
  });

  it('publishes exactly the contract\'s metric names', async () => {
    s = await setup(published(), { registry: new Registry() });
    s.worker.breaker('downstream', () => Promise.resolve(1));
    const names = (await s.worker.metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    assert.deepEqual(names, [
      'attempts_total', 'breaker_state', 'config_errors_total', 'config_last_success_timestamp_seconds', 'failures_total',
      'frozen', 'in_flight', 'limit', 'pending', 'retries_total', 'successes_total',
    ].map((n) => `costguard_worker_${n}`));
    const types = Object.fromEntries((await s.worker.metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    for (const [name, type] of Object.entries(types)) assert.equal(type === 'counter', name.endsWith('_total'), name);
  });
});

describe('worker options', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ maxPending: -1 }, /`maxPending`/],
    [{ pollIntervalMs: 0 }, /`pollIntervalMs`/],
    [{ pollIntervalMs: '5s' }, /`pollIntervalMs`/],
    [{ metricsPort: 'http' }, /`metricsPort`/],
    [{ configPath: '' }, /`configPath`/],
    [{ watch: 'yes' }, /`watch`/],
    [{ retryWindowMs: 0.5 }, /`retryWindowMs`/],
    [{ log: 'console' }, /`log`/],
    [{ registry: {} }, /`registry`/],
    [{ defaults: { perReplicaLimit: 0 } }, /`defaults.perReplicaLimit`/],
    [{ defaults: { retryBudgetPercent: 120 } }, /`defaults.retryBudgetPercent`/],
    [{ defaults: { breaker: { volumeThreshold: 0 } } }, /`defaults.breaker.volumeThreshold`/],
    [{ maxPendng: 3 }, /Unknown option `options.maxPendng`/],
    [{ defaults: { limit: 4 } }, /^Unknown option `defaults.limit`; known options: perReplicaLimit, frozen, retryBudgetPercent, breaker$/],
    [{ defaults: { breaker: { resetTimeout: 5000 } } }, /^Unknown option `defaults.breaker.resetTimeout`; known options: errorThresholdPercentage, volumeThreshold, resetTimeoutMs, fleetOpenPercent$/],
  ];
  for (const [options, message] of bad) {
    it(`throws a TypeError naming the option: ${JSON.stringify(options)}`, () => {
      assert.throws(() => createWorker(options), (err: unknown) => err instanceof TypeError && message.test(err.message));
    });
  }

  it('finds the config file from the option, then COSTGUARD_CONFIG, then /etc/costguard/worker.json', () => {
    assert.equal(resolveConfigPath('/x/w.json', { COSTGUARD_CONFIG: '/y/w.json' }), '/x/w.json');
    assert.equal(resolveConfigPath(undefined, { COSTGUARD_CONFIG: '/y/w.json' }), '/y/w.json');
    assert.equal(resolveConfigPath(undefined, {}), '/etc/costguard/worker.json');
  });
});
