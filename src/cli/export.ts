// `costguard export --group=<asg> [--queue=..] [--dlq=..] [--since=14d]`: a trace of the group's
// (and its queues') history from CloudWatch, and of the workers' counters from Prometheus, in
// the trace format `backtest` and `recommend` read. Wiring only: flags → window, AWS clients →
// ports, then export-run.ts. Progress and warnings go to stderr; the trace to --out or stdout.
import { writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { AwsClients } from '../cloud/aws/clients.ts';
import { awsHistorySources } from '../cloud/aws/history-sources.ts';
import { awsMetricHistory } from '../cloud/aws/metric-history.ts';
import type { MetricWindow } from '../cloud/metric-history.ts';
import { ConfigError } from '../runtime/index.ts';
import { parseFlags, spanSeconds } from './flags.ts';
import { parseTime } from './history-time.ts';
import { runExport, type ExportRequest } from './export-run.ts';
import type { PrometheusRange } from './prometheus-range.ts';

export const EXPORT_USAGE = [
  'export --group=<asg> [flags]   pull a trace of a group\'s history from CloudWatch (and Prometheus)',
  '  --queue=<name|url>        the group\'s SQS queue: sent, received, deleted, visible, not visible',
  '  --dlq=<name|url>          its dead-letter queue: depth, written as dlq_in (messages that reached it)',
  '  --since=<span>            how far back, e.g. 14d, 36h (default 14d); or --start/--end',
  '  --start=<ISO time> --end=<ISO time>   an exact period (UTC when no zone is given)',
  '  --resolution=<1m|5m|1h>   the period of each row (default: the finest CloudWatch still keeps for the start)',
  '  --region=<region>         default AWS_REGION; --role-arn=<arn> to assume a role first',
  '  --prometheus-url=<url>    add the worker library\'s counters from /api/v1/query_range',
  '  --prometheus-selector=<matchers>   e.g. job="orders-worker" (bearer token from PROMETHEUS_BEARER_TOKEN)',
  '  --out=<file>              write the trace there (default: stdout)',
].join('\n');

const FLAGS = { values: ['group', 'queue', 'dlq', 'since', 'start', 'end', 'resolution', 'region', 'role-arn', 'prometheus-url', 'prometheus-selector', 'out'] };

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

/** The request of the flags; ConfigError naming the flag that is wrong. */
export function exportRequest(argv: readonly string[], env: NodeJS.ProcessEnv, nowMs: number): { request: ExportRequest; out?: string; roleArn?: string } {
  const { values, args } = parseFlags('export', argv, FLAGS);
  if (args.length) throw new ConfigError(`export takes flags only, got "${args[0]}"`);
  const group = values.get('group');
  if (!group) throw new ConfigError('export needs --group=<Auto Scaling group name>');
  const region = values.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('export needs --region (or AWS_REGION)');
  const prometheus = prometheusOf(values, env);
  const request: ExportRequest = {
    targets: { group, ...(values.has('queue') ? { queue: values.get('queue')! } : {}), ...(values.has('dlq') ? { dlq: values.get('dlq')! } : {}) },
    window: windowOf(values, nowMs),
    region,
    ...(prometheus ? { prometheus } : {}),
  };
  return { request, ...(values.has('out') ? { out: values.get('out')! } : {}), ...(values.has('role-arn') ? { roleArn: values.get('role-arn')! } : {}) };
}

export async function exportHistory(argv: readonly string[]): Promise<void> {
  const { request, out, roleArn } = exportRequest(argv, process.env, Date.now());
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
    if (out) writeFileSync(out, result.text);
    else process.stdout.write(result.text);
  } finally {
    clients.shutdown();
  }
}
