import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { CallGuard, type CallGuardOptions } from '../../../src/cloud/aws/guard.ts';
import { CloudError } from '../../../src/cloud/errors.ts';

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, Code: name, $metadata: { httpStatusCode: status } });
}

async function calls(registry: Registry, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'costguard_aws_calls_total');
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, string>; value: number }>;
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('CallGuard', () => {
  let guard: CallGuard;
  let registry: Registry;
  const make = (options: Partial<CallGuardOptions> = {}): CallGuard => {
    registry = options.registry ?? new Registry();
    guard = new CallGuard({ registry, breaker: { volumeThreshold: 4, resetTimeoutMs: 60_000 }, ...options });
    return guard;
  };
  afterEach(() => guard?.shutdown());

  it('rejects a concurrency that is not a positive integer', () => {
    assert.throws(() => new CallGuard({ registry: new Registry(), concurrency: 0 }), TypeError);
    assert.throws(() => new CallGuard({ registry: new Registry(), concurrency: 1.5 }), TypeError);
  });

  it('runs at most `concurrency` calls at once, across services', async () => {
    make({ concurrency: 3 });
    let active = 0;
    let peak = 0;
    const call = async (): Promise<void> => {
      active += 1;
      peak = Math.max(peak, active);
      // Yield a full turn of the event loop: every other call that could start, starts now.
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => guard.run(i % 2 ? 'autoscaling' : 'budgets', 'Op', call)));
    assert.equal(peak, 3);
    assert.equal(guard.activeCount, 0);
  });

  it('turns failures into CloudErrors and counts every outcome', async () => {
    make();
    assert.equal(await guard.run('autoscaling', 'Describe', () => Promise.resolve(42)), 42);
    await assert.rejects(guard.run('autoscaling', 'Describe', () => Promise.reject(awsError('Throttling', 400))), { name: 'CloudError', kind: 'Throttled' });
    await assert.rejects(guard.run('autoscaling', 'Update', () => Promise.reject(awsError('AccessDenied', 403))), { kind: 'AccessDenied' });
    assert.equal(await calls(registry, { service: 'autoscaling', operation: 'Describe', outcome: 'success' }), 1);
    assert.equal(await calls(registry, { operation: 'Describe', outcome: 'throttled' }), 1);
    assert.equal(await calls(registry, { operation: 'Update', outcome: 'access_denied' }), 1);
  });

  it('opens the breaker after volumeThreshold failing calls, then fails fast without calling', async () => {
    make();
    let sent = 0;
    const failing = (): Promise<never> => {
      sent += 1;
      return Promise.reject(awsError('ServiceUnavailable', 503));
    };
    for (let i = 0; i < 3; i++) await assert.rejects(guard.run('autoscaling', 'Describe', failing), { kind: 'Unavailable' });
    assert.equal(guard.state('autoscaling'), 'closed', 'below volumeThreshold the breaker stays closed');
    await assert.rejects(guard.run('autoscaling', 'Describe', failing), { kind: 'Unavailable', code: 'ServiceUnavailable' });
    assert.equal(guard.state('autoscaling'), 'open');
    const err = await guard.run('autoscaling', 'Describe', failing).catch((e: unknown) => e);
    assert.ok(err instanceof CloudError);
    assert.equal(err.kind, 'Unavailable');
    assert.equal(err.code, 'BreakerOpen');
    assert.equal(err.retryable, true);
    assert.equal(sent, 4, 'the short-circuited call never ran');
    assert.equal(await calls(registry, { outcome: 'short_circuited' }), 1);
    assert.equal(guard.state('budgets'), 'closed', 'one breaker per service');
    const open = (await registry.getSingleMetric('costguard_aws_breaker_open')?.get())?.values.find((v) => v.labels.service === 'autoscaling');
    assert.equal(open?.value, 1);
  });

  it('keeps expected errors (NotFound, Invalid, AccessDenied, Contention) out of the failure count', async () => {
    make();
    const expected = ['ValidationError', 'AccessDenied', 'ScalingActivityInProgress', 'NotFoundException'];
    for (let i = 0; i < 12; i++) {
      const name = expected[i % expected.length] ?? 'ValidationError';
      await assert.rejects(guard.run('autoscaling', 'Update', () => Promise.reject(awsError(name, 400))), CloudError);
    }
    assert.equal(guard.state('autoscaling'), 'closed');
    assert.equal(await calls(registry, { operation: 'Update' }), 12, 'every call ran and was counted');
    // The same number of unexpected failures opens it: the settings would have tripped.
    for (let i = 0; i < 12; i++) await guard.run('budgets', 'Describe', () => Promise.reject(awsError('InternalFailure', 500))).catch(() => undefined);
    assert.equal(guard.state('budgets'), 'open');
  });

  it('half-opens after resetTimeout and closes on a successful probe', async () => {
    make({ breaker: { volumeThreshold: 2, resetTimeoutMs: 30 } });
    for (let i = 0; i < 2; i++) await assert.rejects(guard.run('autoscaling', 'Describe', () => Promise.reject(awsError('InternalFailure', 500))));
    assert.equal(guard.state('autoscaling'), 'open');
    // opossum's reset timer is its own: wait for the state it reaches, bounded, not a fixed time.
    const deadline = Date.now() + 2_000;
    while (guard.state('autoscaling') !== 'halfOpen' && Date.now() < deadline) await delay(5);
    assert.equal(guard.state('autoscaling'), 'halfOpen');
    assert.equal(await guard.run('autoscaling', 'Describe', () => Promise.resolve('ok')), 'ok');
    assert.equal(guard.state('autoscaling'), 'closed');
  });

  it('lets two guards share one registry: one set of metrics counts the calls of both', async () => {
    const shared = new Registry();
    const first = new CallGuard({ registry: shared });
    try {
      make({ registry: shared });
      await first.run('autoscaling', 'Describe', () => Promise.resolve(1));
      await guard.run('autoscaling', 'Describe', () => Promise.resolve(2));
      await assert.rejects(guard.run('sts', 'AssumeRole', () => Promise.reject(awsError('AccessDenied', 403))));
      assert.equal(await calls(shared, { service: 'autoscaling', operation: 'Describe', outcome: 'success' }), 2);
      assert.equal(await calls(shared, { service: 'sts', outcome: 'access_denied' }), 1);
      assert.equal((await shared.getMetricsAsJSON()).filter((m) => m.name === 'costguard_aws_calls_total').length, 1, 'registered once');
    } finally {
      first.shutdown();
    }
  });

  it('runs an unlimited call even when every slot is taken (credential refresh inside a call)', async () => {
    make({ concurrency: 1 });
    const inner = await guard.run('autoscaling', 'Describe', () => guard.run('sts', 'AssumeRole', () => Promise.resolve('creds'), false));
    assert.equal(inner, 'creds');
  });
});
