// Scraping worker pods over real HTTP on loopback: timeouts, bad answers and the bound on
// scrapes open at once. (The pods are plain objects here; the API server is not needed.)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pLimit from 'p-limit';
import { scrapePods, type Pod } from '../../../src/controllers/breaker/scrape.ts';

type Handler = Parameters<typeof createServer>[1];

async function serve(handler: NonNullable<Handler>): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

const pod = (name: string, ip = '127.0.0.1'): Pod => ({ metadata: { name }, status: { phase: 'Running', podIP: ip } });

describe('concurrency: scraping worker pods', function () {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.closeAllConnections();
    for (const s of servers) s.close();
  });

  it('reads the worst breaker of a pod and reports every failure as unknown with its reason', async () => {
    const bodies: Record<string, [number, string]> = {
      '/ok': [200, 'costguard_worker_breaker_state{breaker="a"} 0\ncostguard_worker_breaker_state{breaker="b"} 2\n'],
      '/none': [200, '# no breakers yet\ncostguard_worker_in_flight 0\n'],
      '/500': [500, 'oops'],
      '/garbage': [200, 'costguard_worker_breaker_state{breaker="a" 2\n'],
    };
    const { server, port } = await serve((req, res) => {
      const [status, body] = bodies[req.url ?? ''] ?? [404, ''];
      res.writeHead(status).end(body);
    });
    servers.push(server);
    const scrape = (path: string) => scrapePods([pod(path)], { port, path, timeoutMs: 2_000, limit: pLimit(4) });
    assert.deepEqual(await scrape('/ok'), [{ pod: '/ok', state: 2, breakers: 2 }]);
    assert.deepEqual(await scrape('/none'), [{ pod: '/none', state: 0, breakers: 0 }]);
    assert.deepEqual(await scrape('/500'), [{ pod: '/500', error: 'HTTP 500' }]);
    const [garbage] = await scrape('/garbage');
    assert.ok(garbage && 'error' in garbage, 'malformed text is unknown, not closed');
    assert.match(garbage.error, /line 1/);
    assert.deepEqual(await scrapePods([{ metadata: { name: 'p' }, status: { phase: 'Running' } }], { port, path: '/ok', timeoutMs: 100, limit: pLimit(1) }), [{ pod: 'p', error: 'no pod IP yet' }]);
  });

  it('gives up on a pod that does not answer within the timeout', async () => {
    const { server, port } = await serve(() => undefined); // never answers
    servers.push(server);
    const [reading] = await scrapePods([pod('slow')], { port, path: '/metrics', timeoutMs: 200, limit: pLimit(1) });
    assert.deepEqual(reading, { pod: 'slow', error: 'no answer within 200 ms' });
  });

  it('never has more scrapes open than the shared limit', async () => {
    let open = 0;
    let most = 0;
    const { server, port } = await serve((_req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.end('costguard_worker_breaker_state{breaker="a"} 0\n');
      }, 20);
    });
    servers.push(server);
    const limit = pLimit(3);
    const readings = await scrapePods(
      Array.from({ length: 12 }, (_, i) => pod(`p${i}`)),
      { port, path: '/metrics', timeoutMs: 2_000, limit },
    );
    assert.equal(readings.filter((r) => 'state' in r).length, 12);
    assert.equal(most, 3);
  });
});
