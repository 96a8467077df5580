// Loads API server access the way kubectl does (in-cluster service account, else KUBECONFIG or
// ~/.kube/config), for the common cases without @kubernetes/client-node's KubeConfig: that
// class imports every generated API client, about 55 MiB of resident memory for code the
// operator never calls. Bearer tokens, token files and client certificates are handled here;
// anything else (exec and auth-provider plugins, basic auth, proxies) falls back to KubeConfig.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { parse } from 'yaml';
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import type { KubeAccess } from './access.ts';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound service-account tokens rotate; re-read the file this often (client-go: 1 minute). */
const TOKEN_REFRESH_MS = 60_000;

interface Credentials {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  tokenFile?: string;
  insecure?: boolean;
}

export class LightAccess implements KubeAccess {
  private readonly creds: Credentials;
  private readonly agent: Agent;
  private token: { value: string; readAt: number } | undefined;

  constructor(creds: Credentials) {
    this.creds = creds;
    const connect = { ca: creds.ca, cert: creds.cert, key: creds.key, rejectUnauthorized: !creds.insecure, keepAlive: true, keepAliveInitialDelay: 30_000 };
    this.agent = new Agent({ connect });
  }

  getCurrentCluster(): { server: string } {
    return { server: this.creds.server };
  }

  applySecurityAuthentication(context: RequestContext): Promise<void> {
    const token = this.currentToken();
    if (token) context.setHeaderParam('Authorization', `Bearer ${token}`);
    context.setDispatcher(this.agent);
    return Promise.resolve();
  }

  private currentToken(): string | undefined {
    if (!this.creds.tokenFile) return this.creds.token;
    const now = Date.now();
    if (!this.token || now - this.token.readAt > TOKEN_REFRESH_MS) this.token = { value: readFileSync(this.creds.tokenFile, 'utf8').trim(), readAt: now };
    return this.token.value;
  }
}

function inCluster(env: NodeJS.ProcessEnv): Credentials | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host || !existsSync(join(SA_DIR, 'token'))) return undefined;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  return { server, ca: readFileSync(join(SA_DIR, 'ca.crt'), 'utf8'), tokenFile: join(SA_DIR, 'token') };
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Named<{ context: { cluster: string; user: string } }>[];
  clusters?: Named<{ cluster: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const SUPPORTED_USER_KEYS = new Set(['client-certificate-data', 'client-key-data', 'client-certificate', 'client-key', 'token', 'tokenFile']);

function fileOrData(data: unknown, file: unknown): string | undefined {
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  if (typeof file === 'string') return readFileSync(file, 'utf8');
  return undefined;
}

/** Credentials from a kubeconfig file, or undefined when it needs what only KubeConfig does. */
export function fromKubeconfig(text: string): Credentials | undefined {
  const config = parse(text) as KubeconfigFile;
  const context = config.contexts?.find((c) => c.name === config['current-context'])?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string' || cluster['proxy-url']) return undefined;
  if (Object.keys(user).some((k) => !SUPPORTED_USER_KEYS.has(k))) return undefined;
  return { server: cluster.server, ...clusterTls(cluster), ...userCredentials(user) };
}

function clusterTls(cluster: Record<string, unknown>): Pick<Credentials, 'ca' | 'insecure'> {
  return { ca: fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority']), insecure: cluster['insecure-skip-tls-verify'] === true };
}

function userCredentials(user: Record<string, unknown>): Pick<Credentials, 'cert' | 'key' | 'token' | 'tokenFile'> {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    cert: fileOrData(user['client-certificate-data'], user['client-certificate']),
    key: fileOrData(user['client-key-data'], user['client-key']),
    token: text(user.token),
    tokenFile: text(user.tokenFile),
  };
}

async function fullKubeConfig(): Promise<KubeAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** API server access as kubectl would resolve it. */
export async function loadKubeAccess(env: NodeJS.ProcessEnv = process.env): Promise<KubeAccess> {
  // Several files in KUBECONFIG are merged; KubeConfig knows how.
  if (env.KUBECONFIG?.includes(':')) return fullKubeConfig();
  const path = env.KUBECONFIG || join(homedir(), '.kube', 'config');
  if (!env.KUBECONFIG) {
    const cluster = inCluster(env);
    if (cluster) return new LightAccess(cluster);
  }
  const creds = existsSync(path) ? fromKubeconfig(readFileSync(path, 'utf8')) : undefined;
  return creds ? new LightAccess(creds) : fullKubeConfig();
}
