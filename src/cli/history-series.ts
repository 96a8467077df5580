// Timestamped series → trace samples. Shared by `costguard export` (what CloudWatch and
// Prometheus return) and by the readers of other people's files, so both write the same
// trace: one row per timestamp any series has, `t` in seconds from the first one, a value
// only where a series has a point (missing stays missing, never zero).
import { SIGNAL_COLUMNS, type Sample, type SignalColumn } from '../signals/sample.ts';
import type { HistoryColumn } from './history-columns.ts';

export interface Point {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly value: number;
}

export interface Series {
  readonly column: HistoryColumn;
  /** In any order: CloudWatch returns newest first by default. */
  readonly points: readonly Point[];
}

export interface TimedSamples {
  /** The columns that have at least one value, in trace order. */
  columns: SignalColumn[];
  samples: Sample[];
  /** Epoch ms of t=0; undefined when there are no samples. */
  startMs: number | undefined;
}

/**
 * Merges series into samples. Two series of one column are the caller's error (it cannot
 * know which one is meant), so they must be rejected before. `dlq_depth` becomes `dlq_in`:
 * the rise in depth since the previous point (falls are consumers of the DLQ, not inflow).
 */
export function mergeSeries(series: readonly Series[]): TimedSamples {
  const rows = new Map<number, Partial<Record<SignalColumn, number>>>();
  for (const s of series) {
    const column: SignalColumn = s.column === 'dlq_depth' ? 'dlq_in' : s.column;
    const points = s.column === 'dlq_depth' ? inflow(s.points) : s.points;
    for (const p of points) {
      if (!Number.isFinite(p.value) || !Number.isFinite(p.at)) continue;
      const row = rows.get(p.at) ?? {};
      row[column] = p.value;
      rows.set(p.at, row);
    }
  }
  // A depth series still owns its timestamps (its first point has no inflow yet).
  for (const s of series) for (const p of s.points) if (Number.isFinite(p.at) && !rows.has(p.at)) rows.set(p.at, {});
  const times = [...rows.keys()].sort((a, b) => a - b);
  const startMs = times[0];
  const samples = times.map((at) => ({ t: (at - startMs!) / 1000, ...rows.get(at) }));
  const present = new Set(samples.flatMap((s) => Object.keys(s)));
  return { columns: SIGNAL_COLUMNS.filter((c) => present.has(c)), samples, startMs };
}

/** Per-interval inflow from a depth series: max(0, depth − previous depth), from the second point. */
export function inflow(points: readonly Point[]): Point[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.at - b.at);
  return sorted.slice(1).map((p, i) => ({ at: p.at, value: Math.max(0, p.value - sorted[i]!.value) }));
}

/** Two series claiming one column: the label of the second, for the error message. */
export function duplicateColumn(series: readonly (Series & { label: string })[]): { column: HistoryColumn; labels: [string, string] } | undefined {
  const seen = new Map<HistoryColumn, string>();
  for (const s of series) {
    const first = seen.get(s.column);
    if (first !== undefined) return { column: s.column, labels: [first, s.label] };
    seen.set(s.column, s.label);
  }
  return undefined;
}
