// Reading history, whatever shape it comes in: the project's trace CSV (what `costguard export`
// writes), a CSV with absolute times, or the JSON of `aws cloudwatch get-metric-data`. The
// shape is decided from the text alone (detectFormat), so `backtest` and `recommend` read the
// same files the same way. A plain trace goes through parseTrace unchanged, so its rules and
// errors stay those of docs/runaway.md.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../runtime/index.ts';
import { parseTrace, TraceError, type Trace } from '../signals/trace.ts';
import { ACCEPTED_HISTORY } from './history-columns.ts';
import { seriesFromTimedCsv, timeColumn } from './history-csv.ts';
import { HistoryError, seriesFromCloudWatchJson } from './history-json.ts';
import { mergeSeries, type Series } from './history-series.ts';
import { parseTime } from './history-time.ts';

export type HistoryFormat = 'trace-csv' | 'timed-csv' | 'cloudwatch-json';

export interface History {
  format: HistoryFormat;
  trace: Trace;
  /** Epoch ms of t=0, when the file says (absolute times, or an export's `# start:` comment). */
  startMs?: number;
  /** An export's `# key: value` comments (group, region, instance_type, period, …). */
  meta: Readonly<Record<string, string>>;
}

/** Which reader a text needs: JSON when it is an object, else a CSV with or without absolute times. */
export function detectFormat(text: string): HistoryFormat {
  if (text.trimStart().startsWith('{')) return 'cloudwatch-json';
  return timeColumn(text) >= 0 ? 'timed-csv' : 'trace-csv';
}

/** `# group: orders-asg` lines; `# label:` belongs to the trace and is not metadata. */
export function metaComments(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^#\s*([a-z][a-z_]*):\s*(.*?)\s*$/gm)) if (m[1] !== 'label') out[m[1]!] = m[2]!;
  return out;
}

/** Parses history text; throws TraceError or HistoryError naming what is wrong. */
export function parseHistory(text: string): History {
  const format = detectFormat(text);
  if (format === 'trace-csv') {
    const meta = metaComments(text);
    const startMs = meta.start === undefined ? undefined : parseTime(meta.start);
    return { format, trace: parseTrace(text), meta, ...(startMs !== undefined ? { startMs } : {}) };
  }
  const series: Series[] = format === 'cloudwatch-json' ? seriesFromCloudWatchJson(text) : seriesFromTimedCsv(text);
  const merged = mergeSeries(series);
  const meta = format === 'timed-csv' ? metaComments(text) : {};
  return { format, trace: { columns: merged.columns, samples: merged.samples }, meta, ...(merged.startMs !== undefined ? { startMs: merged.startMs } : {}) };
}

/** Reads a history file; anything wrong with it is one ConfigError line naming the file and what is accepted. */
export function readHistory(file: string): History {
  let text: string;
  try {
    // "-" is standard input, as for most command-line tools: `costguard export … | costguard backtest -`.
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file === '-' ? 'standard input' : file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseHistory(text);
  } catch (err) {
    if (err instanceof TraceError || err instanceof HistoryError) throw new ConfigError(`cannot read history (${ACCEPTED_HISTORY}): ${file === '-' ? 'standard input' : file}: ${err.message}`);
    throw err;
  }
}
