// One place that builds AWS SDK clients, generic over services: an adapter describes its
// service once (`AwsService`) and asks for a client per target. Clients are cached per
// (service, region, roleArn), share one CallGuard (limiter + breakers + metrics) and, for a
// target with a roleArn, one cached AssumeRole credential provider.
//
// Endpoints: the SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (verified
// in @smithy/core's endpoint config), which is how tests and the demo reach moto. `endpoint`
// below overrides that for every service at once (tests put a fault proxy in front of moto).
import type { STSClient } from '@aws-sdk/client-sts';
import type { Registry } from 'prom-client';
import { assumeRole, cachedCredentials, type CredentialProvider } from './credentials.ts';
import { CallGuard, type BreakerSettings, type BreakerState } from './guard.ts';
import { CloudError, FENCED_CODE } from '../errors.ts';

/** Where a guard's AWS calls go. */
export interface AwsTarget {
  readonly region: string;
  /** Assumed with sts:AssumeRole when set; else the operator's own identity. */
  readonly roleArn?: string;
  /** The guard acting under roleArn: the session is named costguard-<namespace>-<name> (CloudTrail). */
  readonly session?: { readonly namespace: string; readonly name: string };
}

/** One key per client and credential: region, role, and (under a role) the guard's session. */
export function clientKey(target: AwsTarget): string {
  const session = target.roleArn && target.session ? `${target.session.namespace}/${target.session.name}` : '';
  return `${target.region}|${target.roleArn ?? ''}|${session}`;
}

/** The subset of SDK client configuration CostGuard sets; every v3 client accepts it. */
export interface AwsClientConfig {
  region: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
  credentials?: CredentialProvider;
  endpoint?: string;
}

/**
 * How to build one service's client; `name` labels breakers and metrics (`autoscaling`, `budgets`).
 * `create` may be async: the adapters load their SDK package on first use (see `lazy`).
 */
export interface AwsService<C extends { destroy(): void }> {
  readonly name: string;
  create(config: AwsClientConfig): C | Promise<C>;
}

/**
 * Loads a module once, on first use. Each @aws-sdk client package costs several MiB of
 * resident memory and a few hundred ms to load (client-ec2 alone about 80 MiB); an operator
 * whose guards never name a budget, a queue or a launch template should not pay for them.
 * A failed load stays failed: a missing package does not appear by itself.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

const stsSdk = lazy(() => import('@aws-sdk/client-sts'));

export interface AwsClientsOptions {
  /** Where `costguard_aws_*` metrics go; never the global default registry implicitly. */
  registry: Registry;
  /** Concurrent AWS calls across all clients (default 8). */
  concurrency?: number;
  breaker?: Partial<BreakerSettings>;
  /** SDK attempts per call including retries (default 3, the SDK's standard mode). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  endpoint?: string;
  now?: () => number;
  /** Tag AssumeRole sessions with the guard (default true; --aws-session-tags). */
  sessionTags?: boolean;
  /**
   * The operator's write fence: every call is refused unsent once it is closed (checked when
   * the call starts and again by each attempt just before the SDK sends it), and calls in
   * flight get its signal as their SDK abortSignal. A bare AbortSignal counts as closed once aborted.
   */
  fence?: AbortSignal | WriteGate;
}

/** What AwsClients needs of the operator's write fence (the runtime's WriteFence is one). */
export interface WriteGate {
  readonly signal: AbortSignal;
  /** True once writes are refused; for a deadline fence this reads the clock. */
  readonly closed: boolean;
}

/** The slice of an SDK client's middleware stack used to check the fence per attempt. */
interface MiddlewareStackLike {
  add(middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'deserialize'; priority: 'low'; name: string }): void;
}

export const STS: AwsService<STSClient> = { name: 'sts', create: async (config) => new (await stsSdk()).STSClient(config) };

export class AwsClients {
  readonly guard: CallGuard;
  private readonly options: AwsClientsOptions;
  private readonly clients = new Map<string, Promise<{ destroy(): void }>>();
  /** The clients built so far, so that shutdown closes them without waiting. */
  private readonly built = new Set<{ destroy(): void }>();
  private readonly credentials = new Map<string, CredentialProvider>();

  constructor(options: AwsClientsOptions) {
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
    this.options = options;
    this.guard = new CallGuard({ registry: options.registry, concurrency: options.concurrency, breaker: options.breaker });
  }

  /**
   * The cached client of `service` for `target`; created (and its SDK loaded) on first use.
   * A target without a region throws at once: that is the caller's bug, not an AWS failure.
   */
  client<C extends { destroy(): void }>(service: AwsService<C>, target: AwsTarget): Promise<C> {
    if (!target.region) throw new TypeError(`${service.name}: target.region is required`);
    const key = `${service.name}|${clientKey(target)}`;
    let client = this.clients.get(key) as Promise<C> | undefined;
    if (!client) {
      client = Promise.resolve(service.create(this.config(target))).then((c) => (this.built.add(c), this.fenceEachAttempt(c, service.name), c));
      this.clients.set(key, client);
      // A failed creation is not cached: the next call tries again.
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  /** Runs one call of `service` through the shared guard; rejects only with CloudError. */
  call<T>(service: string, operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.fenceClosed()) return Promise.reject(fenced(service, operation));
    return this.guard.run(service, operation, fn);
  }

  /** Options for an SDK `send`: the fence as abortSignal, so a call in flight stops when leadership is lost. */
  sendOptions(): { abortSignal?: AbortSignal } {
    const fence = this.options.fence;
    if (!fence) return {};
    return { abortSignal: fence instanceof AbortSignal ? fence : fence.signal };
  }

  private fenceClosed(): boolean {
    const fence = this.options.fence;
    if (!fence) return false;
    return fence instanceof AbortSignal ? fence.aborted : fence.closed;
  }

  /**
   * The check at the moment of sending: a middleware innermost in the SDK's stack (after
   * credentials, signing and the retry loop) runs before every attempt goes on the wire. The
   * fence is a deadline, and waiting for a concurrency slot, an AssumeRole or a retry backoff
   * can cross it after call() let the call in.
   */
  private fenceEachAttempt(client: object, service: string): void {
    const stack = (client as { middlewareStack?: MiddlewareStackLike }).middlewareStack;
    if (!this.options.fence || !stack) return;
    stack.add(
      (next, context) => (args) => (this.fenceClosed() ? Promise.reject(fenced(service, (context.commandName ?? 'send').replace(/Command$/, ''))) : next(args)),
      { step: 'deserialize', priority: 'low', name: 'costguardWriteFence' },
    );
  }

  breakerState(service: string): BreakerState {
    return this.guard.state(service);
  }

  /** Closes sockets and stops breaker timers. */
  shutdown(): void {
    for (const client of this.built) client.destroy();
    this.built.clear();
    this.clients.clear();
    this.credentials.clear();
    this.guard.shutdown();
  }

  private config(target: AwsTarget): AwsClientConfig {
    const timeout = this.options.requestTimeoutMs ?? 10_000;
    const config: AwsClientConfig = {
      region: target.region,
      maxAttempts: this.options.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: Math.min(timeout, 3_000), requestTimeout: timeout },
    };
    if (this.options.endpoint) config.endpoint = this.options.endpoint;
    if (target.roleArn) config.credentials = this.roleCredentials(target);
    return config;
  }

  /** One cached provider per (region, role, guard): each guard's calls carry its own session name. */
  private roleCredentials(target: AwsTarget): CredentialProvider {
    const key = clientKey(target);
    const { region, roleArn = '', session } = target;
    let provider = this.credentials.get(key);
    if (!provider) {
      const sts = this.client(STS, { region });
      // Unlimited: the credential fetch runs inside a call that already holds a limiter slot.
      const guard = <T>(operation: string, fn: () => Promise<T>): Promise<T> => this.guard.run(STS.name, operation, fn, false);
      provider = cachedCredentials(assumeRole({ roleArn, sts, guard, tagSession: this.options.sessionTags ?? true, ...(session ? { session } : {}) }), { now: this.options.now });
      this.credentials.set(key, provider);
    }
    return provider;
  }
}

function fenced(service: string, operation: string): CloudError {
  return new CloudError({ kind: 'Unavailable', service, operation, code: FENCED_CODE, detail: 'leadership lost: the call was not sent' });
}
