// `costguard export --group=<asg> [--queue=..] [--dlq=..] [--since=14d]`: a trace of the group's
// (and its queues') history from CloudWatch, and of the workers' counters from Prometheus, in
// the trace format `backtest` and `recommend` read. Wiring only: flags → window, AWS clients →
// ports, then export-run.ts. Progress and warnings go to stderr; the trace to --out or stdout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AwsClients } from '../cloud/aws/clients.ts';
import { awsHistorySources } from '../cloud/aws/history-sources.ts';
import { awsMetricHistory } from '../cloud/aws/metric-history.ts';
import type { MetricWindow } from '../cloud/metric-history.ts';
import { ConfigError } from '../runtime/index.ts';
import { parseFlags, spanSeconds } from './flags.ts';
import { parseTime } from './history-time.ts';
import type { ExportTargets } from './export-queries.ts';
import { runExport, type ExportRequest, type ExportResult } from './export-run.ts';
import { PrometheusError, type PrometheusRange } from './prometheus-range.ts';
import { isCloudError } from '../cloud/errors.ts';

export const EXPORT_USAGE = [
  'export --group=<asg>[,<asg>...] [flags]   pull a trace of each group\'s history from CloudWatch (and Prometheus)',
  '  --queue=<name|url>[,...]  each group\'s SQS queue, in the order of --group: sent, received, deleted, visible, not visible',
  '  --dlq=<name|url>[,...]    each group\'s dead-letter queue: depth, written as dlq_in (messages that reached it)',
  '  --since=<span>            how far back, e.g. 14d, 36h (default 14d); or --start/--end',
  '  --start=<ISO time> --end=<ISO time>   an exact period (UTC when no zone is given)',
  '  --resolution=<1m|5m|1h>   the period of each row (default: the finest CloudWatch still keeps for the start)',
  '  --region=<region>         default AWS_REGION; --role-arn=<arn> to assume a role first',
  '  --prometheus-url=<url>    add the worker library\'s counters from /api/v1/query_range (one group only)',
  '  --prometheus-selector=<matchers>   e.g. job="orders-worker" (bearer token from PROMETHEUS_BEARER_TOKEN)',
  '  --out=<file>              write the trace there (default: stdout); --out-dir=<dir> for several groups (<group>.csv each)',
].join('\n');

const FLAGS = { values: ['group', 'queue', 'dlq', 'since', 'start', 'end', 'resolution', 'region', 'role-arn', 'prometheus-url', 'prometheus-selector', 'out', 'out-dir'] };

const RESOLUTIONS: Readonly<Record<string, number>> = { '1m': 60, '5m': 300, '1h': 3600 };

function timeFlag(name: string, value: string): number {
  const ms = parseTime(value);
  if (ms === undefined) throw new ConfigError(`invalid --${name}="${value}": expected an ISO 8601 time such as 2026-11-03T04:00:00Z`);
  return ms;
}

/** The finest period CloudWatch still keeps data for at this age (15 days of 1m, 63 of 5m). */
export function defaultPeriod(ageSeconds: number): number {
  if (ageSeconds <= 15 * 86_400) return 60;
  return ageSeconds <= 63 * 86_400 ? 300 : 3600;
}

/** The window of the flags: whole periods only, so every row is a complete period. */
export function windowOf(values: ReadonlyMap<string, string>, nowMs: number): MetricWindow {
  const end = values.has('end') ? timeFlag('end', values.get('end')!) : nowMs;
  const start = values.has('start') ? timeFlag('start', values.get('start')!) : end - spanSeconds('since', values.get('since') ?? '14d') * 1000;
  if (values.has('start') && values.has('since')) throw new ConfigError('give --since or --start, not both');
  if (start >= end) throw new ConfigError('the period is empty: --start must be before --end');
  const resolution = values.get('resolution');
  if (resolution !== undefined && RESOLUTIONS[resolution] === undefined) throw new ConfigError(`invalid --resolution="${resolution}": expected 1m, 5m or 1h`);
  const periodSeconds = resolution ? RESOLUTIONS[resolution]! : defaultPeriod((nowMs - start) / 1000);
  const p = periodSeconds * 1000;
  return { startMs: Math.floor(start / p) * p, endMs: Math.floor(end / p) * p, periodSeconds };
}

function prometheusOf(values: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): PrometheusRange | undefined {
  const url = values.get('prometheus-url');
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url)) throw new ConfigError(`invalid --prometheus-url="${url}": expected http(s)://host:port`);
  const token = env.PROMETHEUS_BEARER_TOKEN;
  return { url, selector: values.get('prometheus-selector') ?? '', ...(token ? { token } : {}) };
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((v) => v.trim());

/** The groups with their queues, paired by position: --group=a,b --queue=qa,qb. */
export function targetsOf(values: ReadonlyMap<string, string>): ExportTargets[] {
  const groups = list(values.get('group')).filter(Boolean);
  if (!groups.length) throw new ConfigError('export needs --group=<Auto Scaling group name>[,<name>...]');
  const paired = (flag: 'queue' | 'dlq'): string[] => {
    if (!values.has(flag)) return [];
    const names = list(values.get(flag));
    if (names.length !== groups.length) throw new ConfigError(`--${flag} names ${names.length} queues for ${groups.length} groups: give one per group, in the order of --group (empty for none: a,,c)`);
    return names;
  };
  const queues = paired('queue');
  const dlqs = paired('dlq');
  return groups.map((group, i) => ({ group, ...(queues[i] ? { queue: queues[i] } : {}), ...(dlqs[i] ? { dlq: dlqs[i] } : {}) }));
}

export interface ExportArgs {
  request: ExportRequest;
  out?: string;
  outDir?: string;
  roleArn?: string;
}

function outputOf(values: ReadonlyMap<string, string>, groups: number): Pick<ExportArgs, 'out' | 'outDir'> {
  if (values.has('out') && values.has('out-dir')) throw new ConfigError('give --out or --out-dir, not both');
  if (groups > 1 && !values.has('out-dir')) throw new ConfigError('several groups need --out-dir=<dir>: one trace per group, <group>.csv');
  return { ...(values.has('out') ? { out: values.get('out')! } : {}), ...(values.has('out-dir') ? { outDir: values.get('out-dir')! } : {}) };
}

/** The request of the flags; ConfigError naming the flag that is wrong. */
export function exportRequest(argv: readonly string[], env: NodeJS.ProcessEnv, nowMs: number): ExportArgs {
  const { values, args } = parseFlags('export', argv, FLAGS);
  if (args.length) throw new ConfigError(`export takes flags only, got "${args[0]}"`);
  const targets = targetsOf(values);
  const region = values.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('export needs --region (or AWS_REGION)');
  const prometheus = prometheusOf(values, env);
  if (prometheus && targets.length > 1) throw new ConfigError('--prometheus-url reads one worker fleet: export one group at a time with it');
  const request: ExportRequest = { targets, window: windowOf(values, nowMs), region, ...(prometheus ? { prometheus } : {}) };
  return { request, ...outputOf(values, targets.length), ...(values.has('role-arn') ? { roleArn: values.get('role-arn')! } : {}) };
}

function write(result: ExportResult, args: ExportArgs): void {
  if (args.outDir) {
    mkdirSync(args.outDir, { recursive: true });
    for (const t of result.traces) writeFileSync(join(args.outDir, `${t.group}.csv`), t.text);
  } else if (args.out) writeFileSync(args.out, result.traces[0]!.text);
  else process.stdout.write(result.traces[0]!.text);
}

export async function exportHistory(argv: readonly string[]): Promise<void> {
  const args = exportRequest(argv, process.env, Date.now());
  const { request, roleArn } = args;
  // A CLI run is short and alone: no breaker tripping on a throttled burst, the backoff in
  // export-run.ts paces it instead.
  const clients = new AwsClients({ registry: new Registry(), breaker: { volumeThreshold: Number.MAX_SAFE_INTEGER } });
  const target = { region: request.region, ...(roleArn ? { roleArn } : {}) };
  try {
    const result = await runExport(request, {
      history: awsMetricHistory(clients, target),
      sources: awsHistorySources(clients, target),
      nowMs: Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (line) => void process.stderr.write(`${line}\n`),
    });
    write(result, args);
  } catch (err) {
    throw oneLine(err);
  } finally {
    clients.shutdown();
  }
}

/**
 * What is left after export-run's own explanations: a Prometheus that failed is the user's to
 * fix (the URL, the selector); an AWS failure that outlived the retries is reported in one line,
 * exit code 1, not as a stack trace. CloudError messages are redacted where they are built.
 */
function oneLine(err: unknown): unknown {
  if (err instanceof PrometheusError) return new ConfigError(err.message);
  if (isCloudError(err)) return new ExportFailed(`${err.message}; nothing was written`);
  return err;
}

/** An AWS failure after every retry: one line, exit code 1 (main.ts). */
export class ExportFailed extends ConfigError {}
