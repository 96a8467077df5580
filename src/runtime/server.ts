// The operator's HTTP endpoints: /metrics for Prometheus, /healthz (the process and its event
// loop are alive: restart me if not) and /readyz (caches are synced: send me traffic). A
// standby is ready too — readiness is about the cache, leadership is not a health state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BindAddress } from './config.ts';
import type { Logger } from './logger.ts';

export interface Response {
  status: number;
  body: string;
  contentType?: string;
}

export type Route = () => Response | Promise<Response>;

export class HttpEndpoint {
  private readonly server: Server;
  private readonly routes: Record<string, Route>;
  private readonly log: Logger;

  constructor(routes: Record<string, Route>, log: Logger) {
    this.routes = routes;
    this.log = log;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; resolves with the base URL (useful with port 0). */
  listen(bind: BindAddress): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(bind.port, bind.host || undefined, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        resolve(`http://${host}:${addr.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = this.routes[path];
    try {
      const out = route ? await route() : { status: 404, body: 'not found\n' };
      res.writeHead(out.status, { 'content-type': out.contentType ?? 'text/plain; charset=utf-8' });
      res.end(out.body);
    } catch (err) {
      this.log.error({ err, path }, 'endpoint failed');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    }
  }
}

/**
 * Detects a stalled event loop: a heartbeat timer that should tick every `intervalMs`.
 * When the loop is blocked, the last tick grows old and /healthz fails.
 */
export class EventLoopWatch {
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly maxLagMs: number;

  constructor(intervalMs = 1000, maxLagMs = 10_000) {
    this.maxLagMs = maxLagMs;
    this.timer = setInterval(() => (this.last = Date.now()), intervalMs);
    this.timer.unref();
  }

  lagMs(): number {
    return Date.now() - this.last;
  }

  healthy(): boolean {
    return this.lagMs() < this.maxLagMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function jsonResponse(status: number, body: unknown): Response {
  return { status, body: `${JSON.stringify(body)}\n`, contentType: 'application/json' };
}
