// Pure: bench/results.json (a list of Figure) and bench/RESULTS.md rendered from it. Nothing
// here measures; bench/main.ts runs the benchmarks and writes both files with these functions,
// and a unit test checks that the committed pair agrees.
import type { Figure } from './figures.ts';
import { SECTIONS } from './results-text.ts';

/** The units a figure may carry; a new one is added here on purpose, not by a typo. */
export const UNITS = ['s', 'ms', 'µs', 'ns', 'MiB', 'calls', 'count', '%', 'ratio', 'USD/h', 'jobs/s'] as const;

/** Problems that make a list of figures unfit to publish: missing units, duplicate ids, non-numbers. */
export function figureProblems(figures: readonly Figure[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of figures) {
    if (seen.has(f.id)) problems.push(`${f.id}: duplicate id`);
    seen.add(f.id);
    if (!(UNITS as readonly string[]).includes(f.unit)) problems.push(`${f.id}: unit ${JSON.stringify(f.unit)} is not one of ${UNITS.join(', ')}`);
    if (!Number.isFinite(f.value)) problems.push(`${f.id}: value ${f.value} is not a finite number`);
    if (f.baseline && !Number.isFinite(f.baseline.value)) problems.push(`${f.id}: baseline value ${f.baseline.value} is not a finite number`);
    if (!f.baseline && !f.note) problems.push(`${f.id}: no baseline and no note saying why`);
  }
  return problems;
}

/**
 * The figures of a run merged into the previous results: every bench that ran replaces all of
 * its figures, the others keep theirs (a BENCH_ONLY run updates only what it measured).
 */
export function mergeFigures(previous: readonly Figure[], fresh: readonly Figure[], ran: readonly string[]): Figure[] {
  const replaced = new Set([...ran, ...fresh.map((f) => f.bench)]);
  return [...previous.filter((f) => !replaced.has(f.bench)), ...fresh].sort((a, b) => benchRank(a.bench) - benchRank(b.bench));
}

function benchRank(bench: string): number {
  const i = SECTIONS.findIndex((s) => s.bench === bench);
  return i < 0 ? SECTIONS.length : i;
}

/** "1,000", "24.4", "0.95": three significant digits at most, thousands grouped. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  // Small ratios keep two significant digits: 1 ms beside 427 ms is 0.0024×, not 0×.
  if (abs > 0 && abs < 0.1) return value.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  const digits = Number.isInteger(value) || abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

export function formatValue(value: number, unit: string): string {
  if (unit === 'ratio') return `${formatNumber(value)}×`;
  if (unit === 'count') return formatNumber(value);
  return `${formatNumber(value)} ${unit}`;
}

function ratio(f: Figure): string {
  if (!f.baseline || f.baseline.value === 0) return '';
  return `${formatNumber(f.value / f.baseline.value)}×`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown row of one figure; the unit test looks for exactly this in RESULTS.md. */
export function figureRow(f: Figure): string {
  const baseline = f.baseline ? `${f.baseline.name}: ${formatValue(f.baseline.value, f.unit)}` : '—';
  return `| ${cell(f.name)} | ${formatValue(f.value, f.unit)} | ${cell(baseline)} | ${ratio(f)} | ${cell(f.target ?? '')} |`;
}

function section(bench: string, figures: readonly Figure[]): string {
  const text = SECTIONS.find((s) => s.bench === bench);
  const runs = [...new Set(figures.flatMap((f) => (f.run ? [f.run] : [])))];
  const notes = figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`);
  return [
    `## ${text?.title ?? bench}`,
    '',
    ...(text ? [text.intro.trim(), ''] : []),
    ...(runs.length ? [`Measured ${runs.join('; ')}.`, ''] : []),
    '| figure | value | baseline, same run | value ÷ baseline | target |',
    '| --- | --- | --- | --- | --- |',
    ...figures.map(figureRow),
    '',
    ...(notes.length ? [...notes, ''] : []),
    ...(text?.after ? [text.after.trim(), ''] : []),
  ].join('\n');
}

const HEADER = `# Benchmark results

Written by \`make bench\` from bench/results.json (the same figures, machine-readable). Every
figure sits beside its baseline, measured side by side in the same run on the same machine:
absolute times are that machine's (each section says which), so compare the ratios.
\`BENCH_ONLY=<bench>[,<bench>]\` reruns some benchmarks and keeps the others' figures.
`;

/** bench/RESULTS.md: one section per bench, in the order of SECTIONS, then any other bench. */
export function renderResults(figures: readonly Figure[]): string {
  const benches = [...new Set(figures.map((f) => f.bench))].sort((a, b) => benchRank(a) - benchRank(b) || a.localeCompare(b));
  return [HEADER, ...benches.map((b) => section(b, figures.filter((f) => f.bench === b)))].join('\n');
}
