// `costguard export`, the part with decisions: check what exists, announce the billed metric
// count, pull the planned calls with backoff on throttling, report progress, and write the
// trace. Every effect is injected (metrics, sources, clock, sleep, log), so tests drive it
// against moto or scripted ports without waiting.
import { isCloudError } from '../cloud/errors.ts';
import type { HistorySources } from '../cloud/history-sources.ts';
import type { MetricHistory, MetricPoint, MetricWindow } from '../cloud/metric-history.ts';
import { ConfigError } from '../runtime/index.ts';
import { formatTrace } from '../signals/trace.ts';
import { billedMetrics, callFloor, planCalls, pointsPerQuery, retentionProblem, type PlannedCall } from './export-plan.ts';
import { exportQueries, GROUP_METRICS, type ColumnQuery, type ExportTargets } from './export-queries.ts';
import { mergeSeries, type Series } from './history-series.ts';
import { workerSeries, type PrometheusRange } from './prometheus-range.ts';

export interface ExportRequest {
  readonly targets: ExportTargets;
  readonly window: MetricWindow;
  readonly region: string;
  readonly prometheus?: PrometheusRange;
}

export interface ExportDeps {
  readonly history: MetricHistory;
  readonly sources: HistorySources;
  readonly nowMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** One line of progress or warning, for stderr. */
  readonly log: (line: string) => void;
  readonly fetchFn?: typeof fetch;
}

export interface ExportResult {
  /** The trace, in the format of docs/runaway.md, with the export's facts as comments. */
  readonly text: string;
  readonly calls: number;
  readonly plannedCalls: number;
  readonly floorCalls: number;
  readonly billedMetrics: number;
  readonly datapoints: number;
}

/** CloudWatch's price for GetMetricData in most regions: USD 0.01 per 1,000 metrics requested. */
const USD_PER_1000_METRICS = 0.01;
const RETRIES = 6;

/** A denied call as the action to grant; other failures pass through. */
export function explainCloudError(err: unknown): unknown {
  if (!isCloudError(err) || err.kind !== 'AccessDenied') return err;
  return new ConfigError(`not permitted: ${err.service}:${err.operation} was denied (${err.code}); grant it to the identity this command runs as (docs/history.md lists every action export needs)`);
}

/** Runs `fn`, retrying throttling and unavailability with exponential backoff (1 s, 2 s, … 30 s). */
export async function withBackoff<T>(fn: () => Promise<T>, deps: Pick<ExportDeps, 'sleep' | 'log'>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isCloudError(err) || !err.retryable || attempt >= RETRIES) throw err;
      const waitMs = Math.min(30_000, 1000 * 2 ** attempt);
      deps.log(`export: ${err.kind.toLowerCase()} (${err.code}); retrying in ${waitMs / 1000} s`);
      await deps.sleep(waitMs);
    }
  }
}

async function queueName(flag: '--queue' | '--dlq', nameOrUrl: string | undefined, req: ExportRequest, deps: ExportDeps): Promise<string | undefined> {
  if (!nameOrUrl) return undefined;
  try {
    return await withBackoff(() => deps.sources.queue(nameOrUrl), deps);
  } catch (err) {
    if (isCloudError(err, 'NotFound')) throw new ConfigError(`SQS queue "${nameOrUrl}" (${flag}) does not exist in ${req.region}`);
    throw err;
  }
}

/** Checks that everything named exists; the targets by name (a queue URL becomes its name). */
async function checkTargets(req: ExportRequest, deps: ExportDeps): Promise<{ targets: ExportTargets; instanceTypes: readonly string[] }> {
  const { group } = req.targets;
  const facts = await withBackoff(() => deps.sources.group(group), deps);
  if (!facts) throw new ConfigError(`Auto Scaling group "${group}" does not exist in ${req.region} (check --group and --region)`);
  const off = GROUP_METRICS.filter((m) => !facts.enabledMetrics.includes(m));
  if (off.length) deps.log(`export: warning: group metrics collection is off for ${group} (${off.join(', ')} not enabled), so CloudWatch has no capacity history for it. Enable it with: aws autoscaling enable-metrics-collection --auto-scaling-group-name ${group} --granularity 1Minute (history starts then)`);
  const queue = await queueName('--queue', req.targets.queue, req, deps);
  const dlq = await queueName('--dlq', req.targets.dlq, req, deps);
  return { targets: { group, ...(queue ? { queue } : {}), ...(dlq ? { dlq } : {}) }, instanceTypes: facts.instanceTypes };
}

function announce(plan: readonly PlannedCall[], queries: number, points: number, deps: ExportDeps): void {
  const billed = billedMetrics(plan);
  const usd = ((billed / 1000) * USD_PER_1000_METRICS).toFixed(4);
  deps.log(`export: ${queries} metrics × ${points.toLocaleString('en-US')} periods in ${plan.length} GetMetricData calls: ${billed.toLocaleString('en-US')} metrics requested, billed by CloudWatch (about $${usd} at $0.01 per 1,000)`);
}

async function pull(plan: readonly PlannedCall[], deps: ExportDeps): Promise<{ points: Map<string, MetricPoint[]>; calls: number }> {
  const points = new Map<string, MetricPoint[]>();
  let calls = 0;
  for (const [i, call] of plan.entries()) {
    const page = await withBackoff(() => deps.history.fetch(call.queries, call.window, () => calls++), deps);
    for (const [id, pts] of page) points.set(id, (points.get(id) ?? []).concat(pts));
    if (plan.length > 1) deps.log(`export: ${i + 1}/${plan.length} calls (${Math.round(((i + 1) * 100) / plan.length)} %), up to ${new Date(call.window.endMs).toISOString()}`);
  }
  return { points, calls };
}

function comments(req: ExportRequest, targets: ExportTargets, o: { nowMs: number; startMs: number; instanceTypes: readonly string[] }): string[] {
  const { group, queue, dlq } = targets;
  const { instanceTypes } = o;
  return [
    `exported by costguard export at ${new Date(o.nowMs).toISOString()}; t is seconds from start, counters are per period`,
    `group: ${group}`,
    `region: ${req.region}`,
    `start: ${new Date(o.startMs).toISOString()}`,
    `period: ${req.window.periodSeconds}s`,
    ...(instanceTypes.length ? [`instance_types: ${instanceTypes.join(',')}`] : []),
    ...(queue ? [`queue: ${queue}`] : []),
    ...(dlq ? [`dlq: ${dlq}`] : []),
  ];
}

function explainMissing(series: readonly Series[], req: ExportRequest, deps: ExportDeps): void {
  if (series.some((s) => s.column === 'desired' && s.points.length)) return;
  const why = `no GroupDesiredCapacity datapoints for ${req.targets.group} in the period: group metrics collection was off then, or the group is younger`;
  if (!series.some((s) => s.points.length)) throw new ConfigError(`${why}; and no other metric has datapoints either, so there is nothing to export`);
  deps.log(`export: warning: ${why}; the desired column stays empty`);
}

async function inner(req: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  const problem = retentionProblem(req.window, deps.nowMs);
  if (problem) throw new ConfigError(problem);
  const { targets, instanceTypes } = await checkTargets(req, deps);
  const columns: readonly ColumnQuery[] = exportQueries(targets);
  const points = pointsPerQuery(req.window);
  const plan = planCalls(columns.map((c) => c.query), req.window);
  announce(plan, columns.length, points, deps);
  const pulled = await pull(plan, deps);
  const series: Series[] = columns.map((c) => ({ column: c.column, points: pulled.points.get(c.query.id) ?? [] }));
  if (req.prometheus) series.push(...(await workerSeries(req.prometheus, req.window, deps.fetchFn)));
  explainMissing(series, req, deps);
  const merged = mergeSeries(series);
  const datapoints = series.reduce((sum, s) => sum + s.points.length, 0);
  deps.log(`export: ${datapoints.toLocaleString('en-US')} datapoints in ${merged.samples.length.toLocaleString('en-US')} rows from ${pulled.calls} calls`);
  return {
    text: formatTrace(merged.columns, merged.samples, comments(req, targets, { nowMs: deps.nowMs, startMs: merged.startMs ?? req.window.startMs, instanceTypes })),
    calls: pulled.calls,
    plannedCalls: plan.length,
    floorCalls: callFloor(columns.length, points),
    billedMetrics: billedMetrics(plan),
    datapoints,
  };
}

/** The export; ConfigError for what the user can fix (a name, a period, a permission). */
export async function runExport(req: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  try {
    return await inner(req, deps);
  } catch (err) {
    throw explainCloudError(err);
  }
}
