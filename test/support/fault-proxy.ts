// A small HTTP proxy in front of moto for tests: it forwards every request unchanged (the Host
// header too, so SigV4 signatures stay valid), records what passed, and can be scripted to
// answer the next N requests, optionally only those of one Action, with an AWS-shaped error.
// Errors are shaped after the caller's protocol: query protocol (Auto Scaling, STS, SQS,
// CloudWatch) gets <ErrorResponse> XML, JSON protocol (Budgets, Cost Explorer) gets __type JSON.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** `Action=` of a query-protocol body, or the operation of an `X-Amz-Target` header. */
  action: string | undefined;
  /** The form parameters of a query-protocol body (empty for other bodies). */
  params: Record<string, string>;
  /**
   * The access key id named in the SigV4 Authorization header: an identifier, not a secret
   * (tests use it to see which identity signed). Signatures and tokens are never recorded.
   */
  accessKeyId: string | undefined;
  /** Status sent back to the client; 0 when the connection was reset. */
  status: number;
  /** True when the proxy answered instead of forwarding. */
  injected: boolean;
}

export interface Fault {
  /** HTTP status of the injected answer (default 400). */
  status?: number;
  /** The AWS error code, e.g. `Throttling` (default `InternalFailure`). */
  code?: string;
  message?: string;
  /** Only requests with this action match; others pass through. */
  action?: string;
  /** How many matching requests to answer (default 1). */
  times?: number;
  /** Destroy the connection instead of answering (a network failure). */
  reset?: boolean;
}

export class FaultProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly upstream: URL;
  private faults: Array<Required<Pick<Fault, 'times'>> & Fault> = [];

  private constructor(upstream: string) {
    this.upstream = new URL(upstream);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  /** Starts a proxy on 127.0.0.1 (a free port) in front of `upstream`. */
  static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(upstream);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues a fault; faults match in the order they were added. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Requests seen (forwarded or answered), optionally only those of one action. */
  count(action?: string): number {
    return this.requests.filter((r) => action === undefined || r.action === action).length;
  }

  /** Forgets recorded requests and pending faults. */
  reset(): void {
    this.requests.length = 0;
    this.faults = [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const params = isForm(req) ? Object.fromEntries(new URLSearchParams(body.toString('utf8'))) : {};
    const target = req.headers['x-amz-target'];
    const action = params.Action ?? (typeof target === 'string' ? target.split('.').pop() : undefined);
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
    const record: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', action, params, accessKeyId, status: 0, injected: false };
    this.requests.push(record);
    const fault = this.take(action);
    if (fault) {
      record.injected = true;
      if (fault.reset) return void req.socket.destroy();
      record.status = answer(res, fault, !isForm(req) && typeof target === 'string');
      return;
    }
    record.status = await this.forward(req, res, body);
  }

  private take(action: string | undefined): Fault | undefined {
    const fault = this.faults.find((f) => f.action === undefined || f.action === action);
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<number> {
    return new Promise((resolve) => {
      const upstream = request(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', () => resolve(up.statusCode ?? 502));
        },
      );
      upstream.on('error', () => {
        res.writeHead(502).end();
        resolve(502);
      });
      upstream.end(body);
    });
  }
}

function answer(res: ServerResponse, fault: Fault, json: boolean): number {
  const status = fault.status ?? 400;
  const code = fault.code ?? 'InternalFailure';
  const message = fault.message ?? 'injected by the fault proxy';
  const requestId = 'fault-proxy-0000';
  if (json) {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ __type: code, message }));
  } else {
    const type = status >= 500 ? 'Receiver' : 'Sender';
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(`<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  }
  return status;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
