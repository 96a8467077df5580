// The worker's Prometheus metrics (prefix `costguard_worker_`), in the names the operator's
// fleet view and runaway signals scrape. Counters end in `_total`; gauges are read at
// scrape time from the live objects, so they are never stale.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import { BREAKER_STATE_VALUE, type Breaker } from './breakers.ts';

export const METRIC_PREFIX = 'costguard_worker_';
export const DEFAULT_METRICS_PORT = 9464;
export const METRICS_PATH = '/metrics';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  inFlight: () => number;
  pending: () => number;
  limit: () => number;
  frozen: () => boolean;
  breakers: () => Breaker[];
  lastConfigSuccessSeconds: () => number | undefined;
}

/** The counters, kept as plain numbers on the hot path and copied into Prometheus at scrape time. */
export interface WorkerCounts {
  attempts: number;
  retries: number;
  successes: number;
  failures: number;
  configErrors: number;
}

export class WorkerMetrics {
  readonly registry: Registry;
  /** Increment these; a scrape reports them. Never decrease them. */
  readonly counts: WorkerCounts = { attempts: 0, retries: 0, successes: 0, failures: 0, configErrors: 0 };

  constructor(registry: Registry, sources: MetricsSources) {
    this.registry = registry;
    const registers = [registry];
    const counts = this.counts;
    const counter = (name: string, help: string, key: keyof WorkerCounts): void => {
      let reported = 0;
      new Counter({ name: METRIC_PREFIX + name, help, registers, collect() {
        // prom-client counters only go up: add what happened since the last scrape
        const delta = counts[key] - reported;
        reported = counts[key];
        if (delta > 0) this.inc(delta);
      } });
    };
    counter('attempts_total', 'Jobs started, first tries and retries.', 'attempts');
    counter('retries_total', 'Retries the retry budget granted.', 'retries');
    counter('successes_total', 'Jobs that completed.', 'successes');
    counter('failures_total', 'Jobs that failed, including calls an open breaker rejected.', 'failures');
    counter('config_errors_total', 'Loads of the config file that failed; the last good settings stayed in use.', 'configErrors');
    const gauge = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({ name: METRIC_PREFIX + name, help, registers, collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      } });
    };
    gauge('in_flight', 'Jobs running now.', sources.inFlight);
    gauge('pending', 'Jobs waiting for a concurrency slot.', sources.pending);
    gauge('limit', 'The concurrency limit in effect (the published per-replica limit).', sources.limit);
    gauge('frozen', '1 while the guard\'s brake is engaged and retries are off.', () => (sources.frozen() ? 1 : 0));
    gauge('config_last_success_timestamp_seconds', 'When the config file was last read successfully (Unix seconds; 0 = never).', sources.lastConfigSuccessSeconds);
    new Gauge({
      name: `${METRIC_PREFIX}breaker_state`,
      help: 'State of each named breaker: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'],
      registers,
      collect() {
        for (const b of sources.breakers()) this.set({ breaker: b.name }, BREAKER_STATE_VALUE[b.state]);
      },
    });
  }
}

/** Serves `registry` at GET /metrics on `port` (0 = any free port); resolves when listening. */
export async function serveMetrics(registry: Registry, port: number, host?: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== METRICS_PATH) {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The port a server listens on (useful with port 0). */
export function listeningPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
