// Signal sources: a failing source is reported, never fatal; counters become per-interval
// increases; the CloudWatch batch is shared across guards; Prometheus and worker metrics are
// read over real HTTP from a local server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueueCounters } from '../../../src/cloud/queues.ts';
import { queueNameOf } from '../../../src/cloud/queues.ts';
import { capacityOf } from '../../../src/signals/capacity.ts';
import { prometheusSource } from '../../../src/signals/prometheus.ts';
import { SharedQueueMetrics } from '../../../src/signals/queue-metrics.ts';
import { counterDelta, takeSample, type SignalSource } from '../../../src/signals/source.ts';
import { sqsCountersSource, sqsDepthSource } from '../../../src/signals/sqs.ts';
import { parseWorkerMetrics, workersSource } from '../../../src/signals/workers.ts';

const ctx = { nowMs: 1_000_000, intervalSeconds: 30 };

function serve(handler: (path: string, query: URLSearchParams, auth: string | undefined) => { status?: number; body: string }): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const out = handler(u.pathname, u.searchParams, req.headers.authorization);
    res.statusCode = out.status ?? 200;
    res.end(out.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('signal sources', () => {
  it('merges what answers and names what failed, without failing the sample', async () => {
    const ok: SignalSource = { name: 'capacity', read: () => Promise.resolve({ desired: 4 }) };
    const bad: SignalSource = { name: 'sqs', read: () => Promise.reject(new Error('AccessDenied: not allowed\nstack')) };
    const taken = await takeSample([ok, bad], ctx, 1000);
    assert.deepEqual(taken.sample, { t: 1000, desired: 4 });
    assert.deepEqual(taken.failures, [{ source: 'sqs', message: 'AccessDenied: not allowed' }]);
  });

  it('turns counters into increases, a reset counting from zero', () => {
    assert.equal(counterDelta(undefined, 10), undefined);
    assert.equal(counterDelta(10, 25), 15);
    assert.equal(counterDelta(25, 3), 3);
  });

  it('reads capacity from the shared observation: ASGs first, else Deployment/StatefulSet running replicas', () => {
    assert.deepEqual(capacityOf({ scalingGroups: [{ desired: 4, inService: 3 }, { desired: 2, inService: 2 }] }), { desired: 6, in_service: 5 });
    assert.deepEqual(capacityOf({ workloads: [{ kind: 'Deployment', replicas: 7 }, { kind: 'HorizontalPodAutoscaler', replicas: 7 }] }), { desired: 7, in_service: 7 });
    assert.deepEqual(capacityOf({ scalingGroups: [{ desired: 4, inService: 3 }, { desired: 2 }] }), { desired: 6 }, 'in_service only when every group reports it');
    assert.deepEqual(capacityOf({}), {});
  });

  it('reports SQS depth, and DLQ inflow as the growth of the DLQ between samples', async () => {
    const depths = new Map([['q', { visible: 5, notVisible: 2 }], ['dlq', { visible: 10, notVisible: 0 }]]);
    const source = sqsDepthSource({ depth: (url) => Promise.resolve(depths.get(url)!) }, 'q', 'dlq');
    assert.deepEqual(await source.read(ctx), { sqs_visible: 5, sqs_not_visible: 2 });
    depths.set('dlq', { visible: 14, notVisible: 0 });
    assert.deepEqual(await source.read(ctx), { sqs_visible: 5, sqs_not_visible: 2, dlq_in: 4 });
  });

  it('shares one CloudWatch batch per region per cycle across guards and scales minutes to the interval', async () => {
    const asked: string[][] = [];
    const shared = new SharedQueueMetrics({
      metrics: () => ({
        latest: (names) => {
          asked.push([...names]);
          return Promise.resolve(new Map<string, QueueCounters>(names.map((n) => [n, { sent: 120, received: 180, deleted: 60, periodSeconds: 60, at: 0 }])));
        },
      }),
      queuesFor: () => ['orders', 'billing', 'emails'],
      maxAgeMs: 29_000,
    });
    const target = { region: 'us-east-1' };
    const guards = ['orders', 'billing', 'emails'].map((q) => sqsCountersSource(shared.reader(target), `https://sqs.us-east-1.amazonaws.com/123456789012/${q}`));
    const values = await Promise.all(guards.map((g) => g.read(ctx)));
    assert.equal(shared.calls, 1);
    assert.deepEqual(asked, [['orders', 'billing', 'emails']]);
    assert.deepEqual(values[0], { sqs_sent: 60, sqs_received: 90, sqs_deleted: 30 });
    await guards[0]!.read({ ...ctx, nowMs: ctx.nowMs + 30_000 });
    assert.equal(shared.calls, 2, 'a new cycle makes a new batch');
    await shared.reader({ region: 'eu-west-1' }).counters('orders', ctx.nowMs);
    assert.equal(shared.calls, 3, 'another region has its own batch');
  });

  it('names queues by the last path segment of their URL', () => {
    assert.equal(queueNameOf('http://localhost:5000/123456789012/orders-dlq'), 'orders-dlq');
  });

  describe('prometheus', () => {
    let prom: { server: Server; url: string };
    const seen: string[] = [];
    before(async () => {
      const rates: Record<string, string> = { 'sum(rate(retries[2m]))': '2.5', 'sum(rate(done[2m]))': '7.5' };
      prom = await serve((path, q, auth) => {
        seen.push(auth ?? '');
        if (path !== '/api/v1/query') return { status: 404, body: '' };
        const expr = q.get('query') ?? '';
        if (expr === 'broken') return { status: 400, body: JSON.stringify({ status: 'error', error: 'parse error' }) };
        const v = rates[expr];
        return { body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: v ? [{ value: [0, v] }] : [] } }) };
      });
    });
    after(() => prom.server.close());

    it('reads rates per interval, attempts = retries + successes without an attempts query, and sends the token', async () => {
      const source = prometheusSource({ url: prom.url, retries: 'sum(rate(retries[2m]))', throughput: 'sum(rate(done[2m]))', bearerToken: () => Promise.resolve('s3cret') });
      assert.deepEqual(await source.read(ctx), { worker_retries: 75, worker_successes: 225, worker_attempts: 300 });
      assert.ok(seen.includes('Bearer s3cret'));
    });

    it('rejects with the API\'s error, which the sample reports as a failing source', async () => {
      const source = prometheusSource({ url: prom.url, retries: 'broken' });
      await assert.rejects(source.read(ctx), { message: `prometheus query to ${new URL(prom.url).origin}/api/v1/query failed: HTTP 400: parse error` });
    });

    it('names the URL and the cause when Prometheus cannot be reached, never "fetch failed" alone', async () => {
      const closed = await serve(() => ({ body: '' }));
      closed.server.close();
      await new Promise((r) => closed.server.once('close', r));
      const source = prometheusSource({ url: `${closed.url}/prom`, retries: 'up' });
      const err = (await source.read(ctx).catch((e: unknown) => e)) as Error;
      assert.match(err.message, new RegExp(`^prometheus query to ${new URL(closed.url).origin}/prom/api/v1/query failed: fetch failed: .*ECONNREFUSED`));
      const taken = await takeSample([source], ctx, 1);
      assert.equal(taken.failures[0]?.message, err.message.slice(0, 300));
    });
  });

  describe('worker metrics', () => {
    const page = (attempts: number, retries: number, open: number) =>
      [
        '# TYPE costguard_worker_attempts_total counter',
        `costguard_worker_attempts_total ${attempts}`,
        `costguard_worker_retries_total ${retries}`,
        `costguard_worker_successes_total ${attempts - retries}`,
        `costguard_worker_breaker_state{breaker="db"} ${open}`,
        `costguard_worker_breaker_state{breaker="api"} 0`,
      ].join('\n');

    it('parses the library\'s series', () => {
      assert.deepEqual(parseWorkerMetrics(page(100, 10, 2)), { counters: { worker_attempts: 100, worker_retries: 10, worker_successes: 90 }, breakerOpen: true });
    });

    it('sums increases across pods and reports the share with an open breaker', async () => {
      const pages = new Map([['/a', page(100, 10, 0)], ['/b', page(50, 5, 0)]]);
      const pods = await serve((path) => (pages.has(path) ? { body: pages.get(path)! } : { status: 500, body: '' }));
      try {
        const source = workersSource({ endpoints: () => Promise.resolve([{ pod: 'a', url: `${pods.url}/a` }, { pod: 'b', url: `${pods.url}/b` }]) });
        assert.deepEqual(await source.read(ctx), { breaker_open_fraction: 0 });
        pages.set('/a', page(160, 40, 2));
        pages.set('/b', page(80, 15, 0));
        assert.deepEqual(await source.read(ctx), { worker_attempts: 90, worker_retries: 40, worker_successes: 50, breaker_open_fraction: 0.5 });
        const dead = workersSource({ endpoints: () => Promise.resolve([{ pod: 'x', url: `${pods.url}/x` }]) });
        await assert.rejects(dead.read(ctx), { message: `no worker pod answered on its metrics port (1 tried; pod x at ${pods.url}/x: HTTP 500)` });
      } finally {
        pods.server.close();
      }
    });
  });
});
