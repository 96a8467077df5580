// A small REST client over @kubernetes/client-node's transport (its auth, TLS and fetch), so
// the runtime can reach any resource and subresource (/status) by path, with the patch
// content type it chooses, and get one error type (KubeApiError) back.
// Deep imports: the package index pulls in every generated API client (tens of MiB resident).
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
import type { WriteFence } from '../fence.ts';
import type { Priority, TokenBucket } from './token-bucket.ts';
import { requestPriority } from './priority.ts';
import { RequestContext, type HttpMethod } from '@kubernetes/client-node/dist/gen/http/http.js';
import type { KubeAccess } from './access.ts';
import { KubeApiError } from '../errors.ts';

export const ContentType = {
  json: 'application/json',
  jsonPatch: 'application/json-patch+json',
  mergePatch: 'application/merge-patch+json',
  /** A list as PartialObjectMetadataList: names, labels, annotations, versions; no spec or status. */
  metadataList: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  /** One object (or each watch event's object) as PartialObjectMetadata. */
  metadata: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
} as const;

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
  /** The Accept header; default application/json (ContentType.metadataList for metadata-only lists). */
  accept?: string;
  /**
   * Where the request queues when the client-side limit is saturated; default from its verb
   * and path (kube/priority.ts). Set it to demote a write the path cannot tell apart, such as
   * a purely cosmetic status patch ('low' may then be dropped under pressure).
   */
  priority?: Priority;
}

export interface KubeList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** How long one connection pool serves before it is replaced (picks up rotated client certs). */
const DISPATCHER_TTL_MS = 5 * 60_000;

export class RestClient {
  private readonly kubeConfig: KubeAccess;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private shared: { dispatcher: Dispatcher; createdAt: number } | undefined;

  private readonly fence: WriteFence | undefined;
  private readonly limiter: TokenBucket | undefined;

  /**
   * With a fence, writes are refused and every call is aborted once it closes (leadership lost).
   * With a limiter, every request first takes a token (the client-side QPS limit), protective
   * writes before reads and status, events last (kube/priority.ts).
   */
  constructor(kubeConfig: KubeAccess, opts: { fence?: WriteFence; limiter?: TokenBucket } = {}) {
    this.kubeConfig = kubeConfig;
    this.fence = opts.fence;
    this.limiter = opts.limiter;
  }

  get<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }

  create<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }

  replace<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }

  patch<T>(path: string, body: unknown, contentType: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body, contentType });
  }

  delete<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const write = method !== 'GET';
    if (write) this.fence?.check(`${method} ${path}`);
    if (this.limiter) await this.waitTurn(this.limiter, method, path, opts);
    const ctx = await this.context(method, path, opts);
    // Again at the moment of sending: the fence is a deadline, and the wait for a token or for
    // credentials may have crossed it. Nothing awaits between this check and the send.
    if (write) this.fence?.check(`${method} ${path}`);
    const response = await this.http.send(ctx).toPromise();
    const text = await response.body.text();
    const parsed = parseJson(text);
    if (response.httpStatusCode >= 400) throw toApiError(response.httpStatusCode, method, path, parsed ?? text);
    return parsed as T;
  }

  private async context(method: HttpMethod, path: string, opts: RequestOptions): Promise<RequestContext> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), method);
    ctx.setHeaderParam('Accept', opts.accept ?? ContentType.json);
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? ContentType.json);
      ctx.setBody(JSON.stringify(opts.body));
    }
    ctx.setSignal(anyOf([AbortSignal.timeout(opts.timeoutMs ?? 30_000), ...this.cancellers(opts)]) as AbortSignal);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const fresh = ctx.getDispatcher();
    if (fresh) ctx.setDispatcher(this.sharedDispatcher(fresh));
    return ctx;
  }

  /**
   * Waits for a token, by priority. The caller's signal or the fence closing cancels the wait;
   * a write cancelled because the fence closed says so (FencedError), not just "aborted".
   */
  private async waitTurn(limiter: TokenBucket, method: HttpMethod, path: string, opts: RequestOptions): Promise<void> {
    try {
      await limiter.take(anyOf(this.cancellers(opts)), opts.priority ?? requestPriority(method, path));
    } catch (err) {
      if (method !== 'GET') this.fence?.check(`${method} ${path}`);
      throw err;
    }
  }

  /** What cancels a request besides its timeout: the caller's signal and the fence. */
  private cancellers(opts: RequestOptions): AbortSignal[] {
    return [...(opts.signal ? [opts.signal] : []), ...(this.fence ? [this.fence.signal] : [])];
  }

  /**
   * client-node builds a new undici Agent (its own TLS connection pool) for every request.
   * Used as is, every call pays a TLS handshake and the idle keep-alive pools pile up in
   * memory; at 1,000 guards that was most of the operator's CPU and RSS. We keep one pool and
   * replace it now and then; the unused per-request agents never open a connection.
   */
  private sharedDispatcher(fresh: Dispatcher): Dispatcher {
    const now = Date.now();
    if (this.shared?.dispatcher === fresh) return fresh; // the access already shares one pool
    if (this.shared && now - this.shared.createdAt < DISPATCHER_TTL_MS) return this.shared.dispatcher;
    const old = this.shared?.dispatcher;
    this.shared = { dispatcher: fresh, createdAt: now };
    // close() lets requests in flight on the old pool finish first.
    if (old) old.close().catch(() => undefined);
    return fresh;
  }

  /** Closes the shared connection pool (on shutdown). */
  async close(): Promise<void> {
    const old = this.shared?.dispatcher;
    this.shared = undefined;
    await old?.close().catch(() => undefined);
  }
}

function anyOf(signals: AbortSignal[]): AbortSignal | undefined {
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(code: number, method: string, path: string, body: unknown): KubeApiError {
  const status = typeof body === 'object' && body !== null ? (body as { message?: string; reason?: string }) : {};
  const detail = status.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  return new KubeApiError(code, `${method} ${path}: ${code} ${detail}`.trim(), status.reason, body);
}
