// The JSON `aws cloudwatch get-metric-data` prints (the SDK's GetMetricDataOutput has the same
// shape): MetricDataResults[] with Id, Label, Timestamps (newest first unless the query asked
// for TimestampAscending) and Values. AWS CLI v1 prints CloudWatch's timestamps as epoch
// seconds unless its config sets cli_timestamp_format = iso8601 (then ISO 8601, as v2 does),
// so both are read. Each result is matched to a trace column by its Label or Id
// (history-columns.ts); results that match nothing are left out.
import { columnOf } from './history-columns.ts';
import { duplicateColumn, type Point, type Series } from './history-series.ts';
import { parseTime } from './history-time.ts';

export class HistoryError extends Error {}

interface MetricDataResult {
  Id?: unknown;
  Label?: unknown;
  Timestamps?: unknown;
  Values?: unknown;
}

/** The series of a get-metric-data document; throws HistoryError saying what is wrong with it. */
export function seriesFromCloudWatchJson(text: string): Series[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new HistoryError(`not valid JSON (${(err as Error).message})`);
  }
  const statistics = fromStatistics(doc);
  if (statistics) return [statistics];
  const results = (doc as { MetricDataResults?: unknown } | null)?.MetricDataResults;
  if (!Array.isArray(results)) throw new HistoryError('JSON without MetricDataResults (get-metric-data) or Label and Datapoints (get-metric-statistics)');
  const series = (results as MetricDataResult[]).flatMap((r, i) => seriesOf(r, i));
  if (series.length === 0) {
    const labels = (results as MetricDataResult[]).map((r) => JSON.stringify(typeof r.Label === 'string' ? r.Label : typeof r.Id === 'string' ? r.Id : '')).join(', ');
    throw new HistoryError(`no series this command knows (labels ${labels || 'none'})`);
  }
  const dup = duplicateColumn(series);
  if (dup) throw new HistoryError(`two series are ${dup.column} (labels "${dup.labels[0]}" and "${dup.labels[1]}"): give each query its own Label, e.g. "dlq" for the dead-letter queue`);
  return series;
}

const STATISTICS = ['Maximum', 'Average', 'Sum', 'Minimum', 'SampleCount'] as const;

/**
 * The one series of `aws cloudwatch get-metric-statistics` output ({Label, Datapoints: [{Timestamp,
 * <statistic>}]}), or undefined for any other document. With several statistics per datapoint
 * the first of Maximum, Average, Sum, Minimum is taken (capacity is about peaks).
 */
function fromStatistics(doc: unknown): Series | undefined {
  const d = doc as { Label?: unknown; Datapoints?: unknown } | null;
  if (!d || !Array.isArray(d.Datapoints) || typeof d.Label !== 'string') return undefined;
  const label = d.Label;
  const column = columnOf(label);
  if (!column) throw new HistoryError(`no series this command knows (label "${label}")`);
  const points = (d.Datapoints as Record<string, unknown>[]).map((p, i) => {
    const stat = STATISTICS.find((s) => typeof p[s] === 'number');
    return point(label, p.Timestamp, stat ? p[stat] : undefined, i);
  });
  return { column, points };
}

function seriesOf(r: MetricDataResult, index: number): (Series & { label: string })[] {
  const label = typeof r.Label === 'string' ? r.Label : '';
  const id = typeof r.Id === 'string' ? r.Id : '';
  const column = columnOf(label, id);
  if (!column) return [];
  const name = label || id || `MetricDataResults[${index}]`;
  const stamps = Array.isArray(r.Timestamps) ? (r.Timestamps as unknown[]) : [];
  const values = Array.isArray(r.Values) ? (r.Values as unknown[]) : [];
  if (stamps.length !== values.length) throw new HistoryError(`series "${name}": ${stamps.length} timestamps but ${values.length} values`);
  return [{ column, label: name, points: stamps.map((ts, i) => point(name, ts, values[i], i)) }];
}

function point(name: string, ts: unknown, value: unknown, i: number): Point {
  const at = ts instanceof Date ? ts.getTime() : parseTime(String(ts));
  if (at === undefined || !Number.isFinite(at)) throw new HistoryError(`series "${name}": Timestamps[${i}]=${JSON.stringify(ts)} is not an ISO 8601 time or epoch seconds`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new HistoryError(`series "${name}": Values[${i}]=${JSON.stringify(value)} is not a number`);
  return { at, value };
}
