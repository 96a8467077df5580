// The fleet breaker view's scrape cost: one poll of N worker pods, each a real HTTP endpoint
// on its own loopback address serving prom-client text as the worker library does, through
// the operator's own scrapePods with the shared limit. Also one poll where a share of the pods
// hang, so the per-pod timeout bounds the poll. No API server needed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pLimit from 'p-limit';
import { Counter, Gauge, Registry } from 'prom-client';
import { scrapePods, type Pod } from '../src/controllers/breaker/scrape.ts';
import type { Figure } from './figures.ts';

export interface FleetScrapeResult {
  pods: number;
  concurrency: number;
  timeoutMs: number;
  /** Median ms of one poll with every pod answering. */
  msPerPoll: number;
  /** ms of the same poll one scrape at a time: what the shared limit buys. */
  msPerPollSequential: number;
  /** ms of one poll with `hangingPods` never answering. */
  msPerPollWithHanging: number;
  hangingPods: number;
}

function workerRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({ name: 'costguard_worker_breaker_state', help: 'Breaker state.', labelNames: ['breaker'], registers }).set({ breaker: 'downstream' }, 0);
  for (const name of ['attempts', 'retries', 'successes', 'failures']) new Counter({ name: `costguard_worker_${name}_total`, help: name, registers }).inc(1000);
  for (const name of ['in_flight', 'limit', 'pending', 'frozen']) new Gauge({ name: `costguard_worker_${name}`, help: name, registers }).set(4);
  return registry;
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** While true, the first `hanging` endpoints never answer. */
let hangingOn = false;

const host = (i: number): string => `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`;

export async function fleetScrape(opts: { pods?: number; concurrency?: number; timeoutMs?: number; hangingShare?: number } = {}): Promise<FleetScrapeResult> {
  const n = opts.pods ?? 500;
  const concurrency = opts.concurrency ?? 32;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const hanging = Math.round(n * (opts.hangingShare ?? 0.05));
  const registry = workerRegistry();
  const servers: Server[] = [];
  let port = 0;
  try {
    for (let i = 0; i < n; i++) {
      const stall = i < hanging;
      const server = createServer((_req, res) => {
        if (stall && hangingOn) return;
        void registry.metrics().then((text) => res.end(text));
      });
      servers.push(server);
      port = await listen(server, host(i), port);
    }
    const pods: Pod[] = Array.from({ length: n }, (_, i) => ({ metadata: { name: `w-${i}` }, status: { phase: 'Running', podIP: host(i) } }));
    const poll = async (limit = pLimit(concurrency)): Promise<number> => {
      const start = performance.now();
      await scrapePods(pods, { port, path: '/metrics', timeoutMs, limit });
      return performance.now() - start;
    };
    hangingOn = false;
    await poll(); // warm up connections and JIT
    const times = [await poll(), await poll(), await poll()].sort((a, b) => a - b);
    const sequential = await poll(pLimit(1));
    hangingOn = true;
    const withHanging = await poll();
    return { pods: n, concurrency, timeoutMs, msPerPoll: Math.round(times[1]!), msPerPollSequential: Math.round(sequential), msPerPollWithHanging: Math.round(withHanging), hangingPods: hanging };
  } finally {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** The figures of one run: the shared-limit poll beside one scrape at a time, and with hanging pods. */
export function fleetScrapeFigures(r: FleetScrapeResult): Figure[] {
  const bench = 'fleet-scrape';
  return [
    {
      id: 'fleet.poll_ms',
      bench,
      name: `one poll of ${r.pods} worker endpoints, ${r.concurrency} scrapes at once (median)`,
      value: r.msPerPoll,
      unit: 'ms',
      baseline: { name: 'one scrape at a time', value: r.msPerPollSequential },
    },
    {
      id: 'fleet.poll_with_hanging_ms',
      bench,
      name: `one poll with ${r.hangingPods} of ${r.pods} pods never answering`,
      value: r.msPerPollWithHanging,
      unit: 'ms',
      baseline: { name: 'every pod answering', value: r.msPerPoll },
      target: `bounded by the ${r.timeoutMs} ms scrape timeout`,
    },
  ];
}

export async function benchFleetScrape(): Promise<Figure[]> {
  return fleetScrapeFigures(await fleetScrape());
}

if (import.meta.main) {
  fleetScrape().then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`), (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
