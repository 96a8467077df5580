// CSV history with absolute times: a `timestamp` (or `time`, `date`) column, or a `t` column
// holding ISO 8601 times instead of seconds. Rows may come in either order; other columns are
// trace columns or metric names (history-columns.ts), the rest is ignored as in a trace.
import { columnOf, type HistoryColumn } from './history-columns.ts';
import { HistoryError } from './history-json.ts';
import type { Point, Series } from './history-series.ts';
import { parseTime } from './history-time.ts';

const TIME_COLUMNS = ['timestamp', 'time', 'date', 'datetime'];

interface Row {
  line: number;
  cells: string[];
}

function dataRows(text: string): { header: Row | undefined; rows: Row[] } {
  const rows = text.split(/\r?\n/).flatMap((raw, i) => {
    const line = raw.trim();
    return line === '' || line.startsWith('#') ? [] : [{ line: i + 1, cells: line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')) }];
  });
  return { header: rows[0], rows: rows.slice(1) };
}

/** The index of the column holding absolute times, or -1 when this CSV is a plain trace. */
export function timeColumn(text: string): number {
  const { header, rows } = dataRows(text);
  if (!header) return -1;
  const names = header.cells.map((c) => c.toLowerCase());
  const named = names.findIndex((n) => TIME_COLUMNS.includes(n));
  if (named >= 0) return named;
  const t = names.indexOf('t');
  const first = rows[0]?.cells[t];
  // `t` holding dates or epoch seconds (no trace runs for 31 years) is absolute time.
  return t >= 0 && first !== undefined && parseTime(first) !== undefined ? t : -1;
}

/** The series of a timestamped CSV; throws HistoryError naming the line that is wrong. */
export function seriesFromTimedCsv(text: string): Series[] {
  const { header, rows } = dataRows(text);
  const at = timeColumn(text);
  if (!header || at < 0) throw new HistoryError('no time column');
  const columns = header.cells.map((name, i) => (i === at ? undefined : columnOf(name)));
  if (!columns.some(Boolean)) throw new HistoryError(`line ${header.line}: no known column in the header`);
  const points = new Map<HistoryColumn, Point[]>();
  for (const row of rows) addRow(row, at, columns, points);
  return [...points].map(([column, pts]) => ({ column, points: pts }));
}

function addRow(row: Row, at: number, columns: readonly (HistoryColumn | undefined)[], out: Map<HistoryColumn, Point[]>): void {
  if (row.cells.length !== columns.length) throw new HistoryError(`line ${row.line}: ${row.cells.length} cells but the header has ${columns.length} columns`);
  const time = parseTime(row.cells[at] ?? '');
  if (time === undefined) throw new HistoryError(`line ${row.line}: time "${row.cells[at] ?? ''}" is not an ISO 8601 time or epoch seconds`);
  columns.forEach((column, i) => {
    const cell = row.cells[i] ?? '';
    if (!column || cell === '') return;
    const value = Number(cell);
    if (!Number.isFinite(value) || !/^[-+0-9.eE]+$/.test(cell)) throw new HistoryError(`line ${row.line}: ${column}="${cell}" is not a number`);
    if (value < 0) throw new HistoryError(`line ${row.line}: ${column}=${cell} is negative (counts and capacity are never below 0)`);
    const points = out.get(column) ?? [];
    points.push({ at: time, value });
    out.set(column, points);
  });
}
