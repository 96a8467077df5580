// Signal traces: CSV with a header, one row per sample, `t` in seconds from the start, an empty
// cell meaning "not observed". Lines starting with `#` are comments; `# label: runaway
// onset=<t>` or `# label: normal` says what the trace is (used by the corpus tests and bench).
// Parsing is strict: a file that cannot be read as samples is rejected with the row that broke.
import { isSignalColumn, type Sample, type SignalColumn } from './sample.ts';

export class TraceError extends Error {}

export type TraceLabel = { kind: 'runaway'; onset: number } | { kind: 'normal' };

export interface Trace {
  columns: SignalColumn[];
  samples: Sample[];
  label?: TraceLabel;
}

interface Header {
  /** Column index → signal name (undefined for `t` and for unknown columns, which are ignored). */
  fields: (SignalColumn | 't' | undefined)[];
}

/** Parses a trace; throws TraceError naming the line (1-based) that is wrong. */
export function parseTrace(text: string): Trace {
  const lines = text.split(/\r?\n/);
  let header: Header | undefined;
  let label: TraceLabel | undefined;
  const samples: Sample[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      label = parseLabel(line, i + 1) ?? label;
      return;
    }
    if (!header) {
      header = parseHeader(line, i + 1);
      return;
    }
    const sample = parseRow(line, header, i + 1);
    const prev = samples.at(-1);
    if (prev && sample.t <= prev.t) throw new TraceError(`line ${i + 1}: t=${sample.t} is not after the previous row's t=${prev.t}`);
    samples.push(sample);
  });
  if (!header) throw new TraceError('no header row (expected a CSV header with a "t" column)');
  const columns = header.fields.filter((f): f is SignalColumn => f !== undefined && f !== 't');
  return { columns, samples, ...(label ? { label } : {}) };
}

function parseHeader(line: string, lineNo: number): Header {
  const names = line.split(',').map((s) => s.trim());
  if (!names.includes('t')) throw new TraceError(`line ${lineNo}: header has no "t" column`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new TraceError(`line ${lineNo}: column "${n}" appears twice`);
    seen.add(n);
  }
  return { fields: names.map((n) => (n === 't' || isSignalColumn(n) ? n : undefined)) };
}

function parseRow(line: string, header: Header, lineNo: number): Sample {
  const cells = line.split(',').map((s) => s.trim());
  // A short row is a lost cell, not an empty one: empty cells are written as ",,".
  if (cells.length !== header.fields.length) throw new TraceError(`line ${lineNo}: ${cells.length} cells but the header has ${header.fields.length} columns`);
  const row: Record<string, number> = {};
  header.fields.forEach((field, i) => {
    const cell = cells[i] ?? '';
    if (field === undefined || cell === '') return;
    const value = Number(cell);
    if (!Number.isFinite(value) || !/^[-+0-9.eE]+$/.test(cell)) throw new TraceError(`line ${lineNo}: ${field}="${cell}" is not a number`);
    if (value < 0) throw new TraceError(`line ${lineNo}: ${field}=${cell} is negative (times, counts and capacity are never below 0)`);
    row[field] = value;
  });
  if (row.t === undefined) throw new TraceError(`line ${lineNo}: t is empty`);
  return row as Sample;
}

function parseLabel(line: string, lineNo: number): TraceLabel | undefined {
  const m = /^#\s*label:\s*(.*)$/.exec(line);
  if (!m) return undefined;
  const body = (m[1] ?? '').trim();
  if (body === 'normal') return { kind: 'normal' };
  const r = /^runaway\s+onset=(\d+(?:\.\d+)?)$/.exec(body);
  if (r) return { kind: 'runaway', onset: Number(r[1]) };
  throw new TraceError(`line ${lineNo}: unknown label "${body}" (expected "runaway onset=<t>" or "normal")`);
}

/** Renders samples as a trace (the generator's writer; round-trips through parseTrace). */
export function formatTrace(columns: readonly SignalColumn[], samples: readonly Sample[], comments: readonly string[] = []): string {
  const head = comments.map((c) => `# ${c}`);
  const rows = samples.map((s) => [s.t, ...columns.map((c) => s[c])].map((v) => (v === undefined ? '' : String(v))).join(','));
  return [...head, ['t', ...columns].join(','), ...rows, ''].join('\n');
}
