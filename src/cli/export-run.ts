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
import { explainCloudError, withBackoff } from './export-retry.ts';
import { workerSeries, type PrometheusRange } from './prometheus-range.ts';

export interface ExportRequest {
  /** One group or many: the metrics of all of them share the calls, one trace per group. */
  readonly targets: readonly ExportTargets[];
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

export interface GroupTrace {
  readonly group: string;
  /** The trace, in the format of docs/runaway.md, with the export's facts as comments. */
  readonly text: string;
}

export interface ExportResult {
  /** One per group, in the order asked. */
  readonly traces: readonly GroupTrace[];
  readonly calls: number;
  readonly plannedCalls: number;
  readonly floorCalls: number;
  readonly billedMetrics: number;
  readonly datapoints: number;
}

/** CloudWatch's price for GetMetricData in most regions: USD 0.01 per 1,000 metrics requested. */
const USD_PER_1000_METRICS = 0.01;

async function queueName(flag: '--queue' | '--dlq', nameOrUrl: string | undefined, req: ExportRequest, deps: ExportDeps): Promise<string | undefined> {
  if (!nameOrUrl) return undefined;
  try {
    return await withBackoff(() => deps.sources.queue(nameOrUrl), deps);
  } catch (err) {
    if (isCloudError(err, 'NotFound')) throw new ConfigError(`SQS queue "${nameOrUrl}" (${flag}) does not exist in ${req.region}`);
    throw err;
  }
}

interface CheckedTarget {
  targets: ExportTargets;
  instanceTypes: readonly string[];
}

/** Checks that everything named exists; the targets by name (a queue URL becomes its name). */
async function checkTarget(t: ExportTargets, req: ExportRequest, deps: ExportDeps): Promise<CheckedTarget> {
  const { group } = t;
  const facts = await withBackoff(() => deps.sources.group(group), deps);
  if (!facts) throw new ConfigError(`Auto Scaling group "${group}" does not exist in ${req.region} (check --group and --region)`);
  const off = GROUP_METRICS.filter((m) => !facts.enabledMetrics.includes(m));
  if (off.length) deps.log(`export: warning: group metrics collection is off for ${group} (${off.join(', ')} not enabled), so CloudWatch has no capacity history for it. Enable it with: aws autoscaling enable-metrics-collection --auto-scaling-group-name ${group} --granularity 1Minute (history starts then)`);
  const queue = await queueName('--queue', t.queue, req, deps);
  const dlq = await queueName('--dlq', t.dlq, req, deps);
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

/** Says what is missing; false when the group has no datapoint at all (nothing to write). */
function explainMissing(series: readonly Series[], group: string, deps: ExportDeps): boolean {
  if (series.some((s) => s.column === 'desired' && s.points.length)) return true;
  const why = `no GroupDesiredCapacity datapoints for ${group} in the period: group metrics collection was off then, or the group is younger`;
  if (!series.some((s) => s.points.length)) {
    deps.log(`export: warning: ${why}; no other metric has datapoints either, so there is no trace for it`);
    return false;
  }
  deps.log(`export: warning: ${why}; the desired column stays empty`);
  return true;
}

/** The trace of one group from the pulled points (and the workers' series, with one group). */
async function groupTrace(c: CheckedTarget & { columns: readonly ColumnQuery[] }, pulled: Map<string, MetricPoint[]>, o: { req: ExportRequest; deps: ExportDeps }): Promise<(GroupTrace & { datapoints: number }) | undefined> {
  const { req, deps } = o;
  const series: Series[] = c.columns.map((q) => ({ column: q.column, points: pulled.get(q.query.id) ?? [] }));
  if (req.prometheus) series.push(...(await workerSeries(req.prometheus, req.window, deps.fetchFn)));
  if (!explainMissing(series, c.targets.group, deps)) return undefined;
  const merged = mergeSeries(series);
  const text = formatTrace(merged.columns, merged.samples, comments(req, c.targets, { nowMs: deps.nowMs, startMs: merged.startMs ?? req.window.startMs, instanceTypes: c.instanceTypes }));
  return { group: c.targets.group, text, datapoints: series.reduce((sum, s) => sum + s.points.length, 0) };
}

async function inner(req: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  const problem = retentionProblem(req.window, deps.nowMs);
  if (problem) throw new ConfigError(problem);
  const checked: CheckedTarget[] = [];
  for (const t of req.targets) checked.push(await checkTarget(t, req, deps));
  // One group keeps the plain column names as ids; several are told apart by a prefix.
  const withQueries = checked.map((c, i) => ({ ...c, columns: exportQueries(c.targets, checked.length > 1 ? `g${i}_` : '') }));
  const queries = withQueries.flatMap((c) => c.columns.map((q) => q.query));
  const points = pointsPerQuery(req.window);
  const plan = planCalls(queries, req.window);
  announce(plan, queries.length, points, deps);
  const pulled = await pull(plan, deps);
  const traces: (GroupTrace & { datapoints: number })[] = [];
  for (const c of withQueries) {
    const trace = await groupTrace(c, pulled.points, { req, deps });
    if (trace) traces.push(trace);
  }
  // One group without any datapoint is the user's to fix; among several, the others still count.
  if (!traces.length) throw new ConfigError(`no datapoints for ${req.targets.map((t) => t.group).join(', ')} in the period, so there is nothing to export`);
  const datapoints = traces.reduce((sum, t) => sum + t.datapoints, 0);
  deps.log(`export: ${datapoints.toLocaleString('en-US')} datapoints for ${traces.length} group${traces.length === 1 ? '' : 's'} from ${pulled.calls} calls`);
  return {
    traces: traces.map(({ group, text }) => ({ group, text })),
    calls: pulled.calls,
    plannedCalls: plan.length,
    floorCalls: callFloor(queries.length, points),
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
