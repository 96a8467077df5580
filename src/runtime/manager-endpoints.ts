// The manager's HTTP endpoints: /metrics on the metrics address, /healthz and /readyz on the
// probe address (one server when both addresses are the same).
import { EventLoopWatch, HttpEndpoint, jsonResponse, type Route } from './server.ts';
import type { BindAddress, RuntimeConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';

export interface EndpointHost {
  config: RuntimeConfig;
  log: Logger;
  metrics: RuntimeMetrics;
  isLeader(): boolean;
  readiness(): { ready: boolean; informers: Record<string, string> };
}

export interface Endpoints {
  metricsUrl: string | undefined;
  healthUrl: string | undefined;
  close(): Promise<void>;
}

function sameAddress(a: BindAddress | undefined, b: BindAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.port !== 0 && a.host === b.host && a.port === b.port;
}

export async function startEndpoints(host: EndpointHost): Promise<Endpoints> {
  const loop = new EventLoopWatch();
  const metricsRoutes: Record<string, Route> = {
    '/metrics': async () => ({ status: 200, body: await host.metrics.registry.metrics(), contentType: host.metrics.registry.contentType }),
  };
  const healthRoutes: Record<string, Route> = {
    '/healthz': () => jsonResponse(loop.healthy() ? 200 : 503, { ok: loop.healthy(), eventLoopLagMs: loop.lagMs() }),
    '/readyz': () => {
      const r = host.readiness();
      return jsonResponse(r.ready ? 200 : 503, { ...r, leader: host.isLeader() });
    },
  };
  const { metricsBindAddress: m, healthProbeBindAddress: h } = host.config;
  const servers: HttpEndpoint[] = [];
  const open = async (bind: BindAddress | undefined, routes: Record<string, Route>): Promise<string | undefined> => {
    if (!bind) return undefined;
    const server = new HttpEndpoint(routes, host.log);
    servers.push(server);
    return server.listen(bind);
  };
  let metricsUrl: string | undefined;
  let healthUrl: string | undefined;
  try {
    if (sameAddress(m, h)) {
      metricsUrl = healthUrl = await open(m, { ...metricsRoutes, ...healthRoutes });
    } else {
      metricsUrl = await open(m, metricsRoutes);
      healthUrl = await open(h, healthRoutes);
    }
  } catch (err) {
    loop.stop();
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return {
    metricsUrl,
    healthUrl,
    close: async () => {
      loop.stop();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
