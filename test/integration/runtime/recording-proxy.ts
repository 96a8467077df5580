// A reverse proxy that stands where a peer's wire is: it stamps each request with the time it
// arrived (what was *sent*, seen from the peer's side), and can hold requests that match a
// rule, never answering them, as a stopped server would. In front of kube-apiserver it
// terminates TLS with the control plane's serving certificate and reaches the API server with
// the admin client certificate, so it can see verbs and paths; in front of moto it is plain HTTP.
import { request as httpRequest, createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface ProxiedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** `Action=` of a form body (AWS query protocol), if any. */
  action: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  /** Status sent back; 0 while held or if the client went away first. */
  status: number;
  held: boolean;
}

export interface ProxyOptions {
  upstream: string;
  /** Serve TLS with this certificate (the API server's), else plain HTTP. */
  serve?: { cert: string; key: string };
  /** Client TLS towards an https upstream: the CA to trust and the client certificate. */
  client?: { ca: string; cert: string; key: string };
}

export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly server: Server;
  private readonly upstream: URL;
  private readonly agent: Agent | undefined;
  private holdRule: ((r: ProxiedRequest) => boolean) | undefined;
  private readonly held = new Set<ServerResponse>();

  private constructor(opts: ProxyOptions) {
    this.upstream = new URL(opts.upstream);
    this.agent = opts.client ? new Agent({ keepAlive: true, ...opts.client }) : undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res).catch(() => res.destroy());
    this.server = opts.serve ? createHttpsServer(opts.serve, handler) : createHttpServer(handler);
  }

  static async start(opts: ProxyOptions): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(opts);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.agent ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  /** From now on, requests matching `rule` are held: never forwarded, never answered. */
  hold(rule: (r: ProxiedRequest) => boolean): void {
    this.holdRule = rule;
  }

  async close(): Promise<void> {
    this.holdRule = undefined;
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent?.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const body = await readBody(req);
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const action = form ? (new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined) : undefined;
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, action, at, status: 0, held: false };
    this.requests.push(record);
    if (this.holdRule?.(record)) {
      record.held = true;
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    record.status = await this.forward(req, res, body);
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<number> {
    const send = this.agent ? httpsRequest : httpRequest;
    // The Host header is passed unchanged, so SigV4 signatures stay valid.
    const headers = req.headers;
    return new Promise((resolve) => {
      const upstream = send(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers, ...(this.agent ? { agent: this.agent } : {}) },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          resolve(up.statusCode ?? 502);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        resolve(502);
      });
      // A client that goes away (an aborted call, a closed watch) ends the upstream call too.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(body);
    });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
