// Runtime configuration from flags and environment variables (flag wins), parsed and
// validated once at start. Pure: argv, env and the hostname are passed in. Any bad value is
// a ConfigError with one line that names the flag, the value and what is expected; the CLI
// prints it and exits 2, without a stack trace.
import { parseDuration } from './duration.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { FLAGS, type FlagSpec } from './config-flags.ts';

export { FLAGS as CONFIG_FLAGS } from './config-flags.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface BindAddress {
  /** '' listens on every interface. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export interface RuntimeConfig {
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  resyncPeriodMs: number;
  maxConcurrentReconciles: number;
  /** Client-side limit on Kubernetes API requests: sustained rate and burst (token bucket). */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** Watch workloads and NodePools as PartialObjectMetadata (false: whole objects). */
  metadataOnlyInformers: boolean;
  /** Session tags on AssumeRole (needs sts:TagSession in the guard role's trust policy). */
  awsSessionTags: boolean;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** undefined = disabled ("0"). */
  metricsBindAddress: BindAddress | undefined;
  healthProbeBindAddress: BindAddress | undefined;
  logLevel: LogLevel;
  gracefulShutdownTimeoutMs: number;
  /** Pod name (POD_NAME, else the hostname): lease identity prefix and event reportingInstance. */
  podName: string;
  /** Tenancy: namespaces whose guards may target NodePools ("*": all). */
  nodePoolNamespaces: string[];
  /** Tenancy: namespaces whose guards may act on AWS ("*": all). */
  awsNamespaces: string[];
  /** Tenancy: glob of the role ARNs a guard may assume; {namespace} is the guard's namespace. */
  roleArnPattern: string;
  /** This cluster on the records' holder keys; '' = derived from the kube-system namespace UID at start. */
  clusterId: string;
}

export interface ParseOptions {
  hostname?: string;
  /** Pass unknown flags through in `remaining` instead of failing (for CLIs that add their own). */
  allowUnknown?: boolean;
}

export interface ParsedConfig {
  config: RuntimeConfig;
  /** Positional arguments, and unknown flags when allowUnknown. */
  remaining: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseConfig(argv: readonly string[], env: Env, opts: ParseOptions = {}): ParsedConfig {
  const { flags, remaining } = tokenize(argv, opts.allowUnknown ?? false);
  const values: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const fromFlag = flags.get(spec.flag);
    const raw = fromFlag ?? nonEmpty(env[spec.env]) ?? defaultFor(spec, env);
    const source = fromFlag !== undefined ? `--${spec.flag}` : nonEmpty(env[spec.env]) !== undefined ? spec.env : `default of --${spec.flag}`;
    values[spec.key] = convert(spec, raw, source);
  }
  values.podName = nonEmpty(env.POD_NAME) ?? opts.hostname ?? 'costguard';
  const config = values as unknown as RuntimeConfig;
  validate(config);
  return { config, remaining };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function defaultFor(spec: FlagSpec, env: Env): string {
  if (spec.key === 'leaderElectionNamespace') return nonEmpty(env.POD_NAMESPACE) ?? spec.default;
  return spec.default;
}

function tokenize(argv: readonly string[], allowUnknown: boolean): { flags: Map<string, string>; remaining: string[] } {
  const flags = new Map<string, string>();
  const remaining: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const spec = arg.startsWith('--') ? FLAGS.find((f) => f.flag === flagName(arg)) : undefined;
    if (!spec) {
      if (arg.startsWith('--') && !allowUnknown) throw new ConfigError(`unknown flag --${flagName(arg)}; run costguard help`);
      remaining.push(arg);
      continue;
    }
    const { value, consumed } = flagValue(spec, arg, argv[i + 1]);
    flags.set(spec.flag, value);
    i += consumed;
  }
  return { flags, remaining };
}

function flagName(arg: string): string {
  const eq = arg.indexOf('=');
  return arg.slice(2, eq < 0 ? undefined : eq);
}

/** The flag's value and how many following arguments it used (0 or 1). */
function flagValue(spec: FlagSpec, arg: string, next: string | undefined): { value: string; consumed: number } {
  const eq = arg.indexOf('=');
  if (eq >= 0) return { value: arg.slice(eq + 1), consumed: 0 };
  if (spec.kind === 'bool') return { value: 'true', consumed: 0 };
  if (next === undefined || next.startsWith('--')) throw new ConfigError(`flag --${spec.flag} needs a value`);
  return { value: next, consumed: 1 };
}

function convert(spec: FlagSpec, raw: string, source: string): unknown {
  try {
    return CONVERTERS[spec.kind](raw.trim());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`invalid ${source}="${raw}": ${why}`);
  }
}

const CONVERTERS: Record<FlagSpec['kind'], (raw: string) => unknown> = {
  string: (raw) => raw,
  duration: parseDuration,
  int: parsePositiveInt,
  bool: parseBool,
  list: (raw) => raw.split(',').map((s) => s.trim()).filter((s) => s !== ''),
  address: parseBindAddress,
  level: parseLevel,
};

function parsePositiveInt(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new TypeError('expected a positive integer');
  return Number(raw);
}

function parseBool(raw: string): boolean {
  const v = raw.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new TypeError('expected true or false');
}

function parseLevel(raw: string): LogLevel {
  const v = raw.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(v)) throw new TypeError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

/** "host:port", ":port" (all interfaces) or "0" (disabled → undefined). */
export function parseBindAddress(raw: string): BindAddress | undefined {
  if (raw === '0') return undefined;
  const colon = raw.lastIndexOf(':');
  const portText = raw.slice(colon + 1);
  if (colon < 0 || !/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new TypeError('expected host:port, :port, or 0 to disable');
  }
  return { host: raw.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(portText) };
}

function validate(c: RuntimeConfig): void {
  const bad = c.namespaces.find((ns) => !DNS_LABEL.test(ns) || ns.length > 63);
  if (bad !== undefined) throw new ConfigError(`invalid namespace "${bad}" in --namespaces: expected a DNS-1123 label`);
  if (c.clusterId !== '' && (!DNS_LABEL.test(c.clusterId) || c.clusterId.length > 26)) {
    throw new ConfigError(`invalid --cluster-id "${c.clusterId}": expected a DNS-1123 label of at most 26 characters`);
  }
  if (!DNS_LABEL.test(c.leaderElectionNamespace)) {
    throw new ConfigError(`invalid --leader-election-namespace="${c.leaderElectionNamespace}": expected a DNS-1123 label`);
  }
  if (!DNS_SUBDOMAIN.test(c.leaderElectionId)) throw new ConfigError(`invalid --leader-election-id="${c.leaderElectionId}": expected a DNS-1123 subdomain`);
  if (c.resyncPeriodMs < 1000) throw new ConfigError(`--resync-period must be at least 1s`);
  if (c.kubeApiBurst < c.kubeApiQps) throw new ConfigError(`--kube-api-burst (${c.kubeApiBurst}) must be at least --kube-api-qps (${c.kubeApiQps})`);
  validateLeaderElection(c);
}

function validateLeaderElection(c: RuntimeConfig): void {
  if (c.leaseDurationMs < 1000 || c.leaseDurationMs % 1000 !== 0) {
    throw new ConfigError('--leader-election-lease-duration must be a whole number of seconds, at least 1s (a Lease stores seconds)');
  }
  if (c.renewDeadlineMs >= c.leaseDurationMs) throw new ConfigError('--leader-election-renew-deadline must be shorter than --leader-election-lease-duration');
  // client-go's rule: the renew deadline must leave room for a jittered retry.
  if (c.renewDeadlineMs <= c.retryPeriodMs * 1.2) {
    throw new ConfigError('--leader-election-renew-deadline must be more than 1.2 × --leader-election-retry-period');
  }
  if (c.retryPeriodMs <= 0) throw new ConfigError('--leader-election-retry-period must be more than 0');
}
