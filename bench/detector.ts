// Runaway detection quality, family by family: each family of labelled traces comes from a
// differently built simulator (test/traces/: the queueing model; test/traces/des/: the
// discrete-event simulation). CostGuard's detector is replayed beside two baselines on the
// same samples (bench/detector-rules.ts): the naive "capacity doubled" rule and the PromQL
// alert a user would write. No environment needed: pure functions over files.
//
// Per family and detector:
// - in time: flagged by the later of onset + 5 min and the moment capacity doubles from its
//   value at onset (a loop flagged after that has already cost what an alert should prevent);
// - within 120 s of onset; false alarms on the normal traces; the median delay; and capacity
//   at the alert ÷ capacity at onset (what the fleet had grown to when the alert came).
// Onset comes from each trace's label, which the generators set from the cause (the first
// capacity added after the downstream degraded), never from a detector.
//
// The reference cadence is AWS Cost Anomaly Detection's: the AWS Cost Management User Guide
// ("Getting started with AWS Cost Anomaly Detection") says it runs approximately three times
// a day, i.e. about every 8 hours; that is the best case before it can see a spike at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replay } from '../src/controllers/runaway/replay.ts';
import { capacityOf } from '../src/controllers/runaway/series.ts';
import type { Sample } from '../src/signals/sample.ts';
import { parseTrace, type Trace } from '../src/signals/trace.ts';
import { type FirstAlert, naiveDoubling, promqlRule } from './detector-rules.ts';
import type { Figure } from './figures.ts';

export const AWS_ANOMALY_CADENCE_SECONDS = 8 * 3600;
const WINDOW_SECONDS = 1800;
const INTERVAL_SECONDS = 30;
const RETRY_BUDGET_PERCENT = 10;
/** "In time" is never sooner than this after onset: the issue's generous bound. */
const IN_TIME_FLOOR_SECONDS = 300;
/** The issue's "within 120 s of onset". */
export const FAST_SECONDS = 120;

const TRACES = join(import.meta.dirname, '..', 'test', 'traces');
export const FAMILIES = [
  { name: 'queueing', dir: TRACES, about: 'fluid queueing model (hack/traces/model.ts)' },
  { name: 'discrete-event', dir: join(TRACES, 'des'), about: 'per-message discrete-event simulation (hack/traces/des/)' },
  { name: 'demo', dir: join(TRACES, 'demo'), about: 'recorded from the real worker fleet of make demo (hack/traces/demo/)' },
] as const;

export interface NamedTrace {
  name: string;
  trace: Trace;
}

export interface DetectorFigures {
  detector: string;
  family: string;
  loops: number;
  inTime: number;
  within120s: number;
  missed: number;
  falseAlarms: number;
  normals: number;
  /** NaN when no loop was flagged. */
  medianDelaySeconds: number;
  maxDelaySeconds: number;
  /** Median over flagged loops of capacity at the alert ÷ capacity at onset. */
  medianCapacityRatio: number;
}

export interface PerTrace {
  family: string;
  trace: string;
  label: string;
  deadline?: number;
  alerts: Record<string, number | undefined>;
}

export interface DetectorBenchResult {
  traces: number;
  intervalSeconds: number;
  windowSeconds: number;
  figures: DetectorFigures[];
  perTrace: PerTrace[];
}

export function loadFamily(dir: string): NamedTrace[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => ({ name: f, trace: parseTrace(readFileSync(join(dir, f), 'utf8')) }));
}

const costguard: FirstAlert = (samples) => replay(samples, { windowSeconds: WINDOW_SECONDS, retryBudgetPercent: RETRY_BUDGET_PERCENT, intervalSeconds: INTERVAL_SECONDS, evaluateEverySeconds: INTERVAL_SECONDS }).firstAlertT;

export const DETECTORS: readonly { name: string; first: FirstAlert }[] = [
  { name: 'CostGuard', first: costguard },
  { name: 'PromQL: retries > budget over 5m and capacity up on 10m ago, for 1m', first: promqlRule(RETRY_BUDGET_PERCENT / 100) },
  { name: 'naive: capacity 2× in window', first: naiveDoubling(WINDOW_SECONDS) },
];

function capacityNear(samples: readonly Sample[], t: number): number | undefined {
  let best: number | undefined;
  for (const s of samples) if (s.t <= t && capacityOf(s) !== undefined) best = capacityOf(s);
  return best;
}

/** The later of onset + 5 min and the first moment capacity reaches twice its value at onset. */
export function deadlineOf(samples: readonly Sample[], onset: number): number {
  const base = capacityNear(samples, onset);
  const doubled = base === undefined ? undefined : samples.find((s) => s.t >= onset && (capacityOf(s) ?? 0) >= 2 * base)?.t;
  return Math.max(onset + IN_TIME_FLOOR_SECONDS, doubled ?? -Infinity);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The figures of one detector over one family, from its first alerts (aligned with `traces`). */
export function scoreFamily(detector: string, family: string, traces: readonly NamedTrace[], alerts: readonly (number | undefined)[]): DetectorFigures {
  const delays: number[] = [];
  const ratios: number[] = [];
  let [inTime, missed, falseAlarms, loops] = [0, 0, 0, 0];
  traces.forEach(({ trace }, i) => {
    const alert = alerts[i];
    const label = trace.label;
    if (label?.kind !== 'runaway') {
      if (alert !== undefined) falseAlarms++;
      return;
    }
    loops++;
    if (alert === undefined) return void missed++;
    // An alert before onset counts as caught with no delay: not a false alarm on a trace that
    // does run away, but no credit for speed either.
    delays.push(Math.max(0, alert - label.onset));
    if (alert <= deadlineOf(trace.samples, label.onset)) inTime++;
    const [atAlert, atOnset] = [capacityNear(trace.samples, alert), capacityNear(trace.samples, label.onset)];
    if (atAlert !== undefined && atOnset) ratios.push(atAlert / atOnset);
  });
  return {
    detector,
    family,
    loops,
    inTime,
    within120s: delays.filter((d) => d <= FAST_SECONDS).length,
    missed,
    falseAlarms,
    normals: traces.length - loops,
    medianDelaySeconds: median(delays),
    maxDelaySeconds: delays.length ? Math.max(...delays) : NaN,
    medianCapacityRatio: median(ratios),
  };
}

function labelText(t: Trace): string {
  return t.label?.kind === 'runaway' ? `runaway onset=${t.label.onset}` : 'normal';
}

export function detectorBench(families: readonly { name: string; dir: string }[] = FAMILIES, detectors = DETECTORS): DetectorBenchResult {
  const figures: DetectorFigures[] = [];
  const perTrace: PerTrace[] = [];
  let count = 0;
  for (const fam of families) {
    const traces = loadFamily(fam.dir);
    count += traces.length;
    const alerts = detectors.map((d) => traces.map((t) => d.first(t.trace.samples)));
    detectors.forEach((d, k) => figures.push(scoreFamily(d.name, fam.name, traces, alerts[k]!)));
    traces.forEach((t, i) => {
      const label = t.trace.label;
      perTrace.push({
        family: fam.name,
        trace: t.name,
        label: labelText(t.trace),
        ...(label?.kind === 'runaway' ? { deadline: deadlineOf(t.trace.samples, label.onset) } : {}),
        alerts: Object.fromEntries(detectors.map((d, k) => [d.name, alerts[k]![i]])),
      });
    });
  }
  return { traces: count, intervalSeconds: INTERVAL_SECONDS, windowSeconds: WINDOW_SECONDS, figures, perTrace };
}

/** All families together, for one detector. */
export function overall(r: DetectorBenchResult, detector: string): DetectorFigures {
  const mine = r.figures.filter((f) => f.detector === detector);
  const sum = (k: 'loops' | 'inTime' | 'within120s' | 'missed' | 'falseAlarms' | 'normals') => mine.reduce((a, f) => a + f[k], 0);
  const delays = r.perTrace.flatMap((p) => {
    const onset = /onset=(\d+)/.exec(p.label)?.[1];
    const alert = p.alerts[detector];
    return onset !== undefined && alert !== undefined ? [Math.max(0, alert - Number(onset))] : [];
  });
  return {
    detector,
    family: 'all',
    loops: sum('loops'),
    inTime: sum('inTime'),
    within120s: sum('within120s'),
    missed: sum('missed'),
    falseAlarms: sum('falseAlarms'),
    normals: sum('normals'),
    medianDelaySeconds: median(delays),
    maxDelaySeconds: delays.length ? Math.max(...delays) : NaN,
    medianCapacityRatio: median(mine.map((f) => f.medianCapacityRatio).filter(Number.isFinite)),
  };
}

export function fmt(n: number): string {
  return Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '-';
}

function row(d: DetectorFigures): string {
  return `| ${d.family} | ${d.detector} | ${d.inTime}/${d.loops} | ${d.within120s}/${d.loops} | ${d.missed} | ${d.falseAlarms}/${d.normals} | ${fmt(d.medianDelaySeconds)} s | ${fmt(d.medianCapacityRatio)}× |`;
}

/** The per-family tables and per-trace detail as Markdown (`node bench/detector.ts`). */
export function renderDetectorBench(r: DetectorBenchResult): string {
  const names = DETECTORS.map((d) => d.name);
  const rows = [...r.figures, ...names.map((n) => overall(r, n))].map(row);
  const short = (n: string) => n.split(':')[0];
  const traces = r.perTrace.map((p) => `| ${p.family} | ${p.trace} | ${p.label} | ${p.deadline ?? '-'} | ${names.map((n) => p.alerts[n] ?? '-').join(' | ')} |`);
  return `## Runaway detection: ${r.traces} labelled traces in ${FAMILIES.length} families, ${r.intervalSeconds} s sampling, ${r.windowSeconds / 60} min window

| family | detector | in time | within 120 s | missed | false alarms | median delay | capacity at alert ÷ at onset |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

| family | trace | label | in time by | ${names.map(short).join(' | ')} |
| --- | --- | --- | --- | ${names.map(() => '---').join(' | ')} |
${traces.join('\n')}
`;
}

const ID = { queueing: 'queueing', 'discrete-event': 'des', demo: 'demo', all: 'all' } as Record<string, string>;

/** CostGuard's figures per family (and over all), each beside the PromQL alert; the naive rule in the note. */
export function detectorFigures(r: DetectorBenchResult): Figure[] {
  const [ours, prom, naive] = DETECTORS.map((d) => d.name) as [string, string, string];
  const out: Figure[] = [];
  for (const family of [...FAMILIES.map((f) => f.name), 'all']) {
    const pick = (name: string) => (family === 'all' ? overall(r, name) : r.figures.find((f) => f.detector === name && f.family === family)!);
    const [o, p, n] = [pick(ours), pick(prom), pick(naive)];
    const id = (k: string) => `detector.${ID[family]}.${k}`;
    const of = `${family === 'all' ? 'all families' : `the ${family} family`}`;
    const fig = (k: string, what: { name: string; unit: string; target?: string }, v: (d: DetectorFigures) => number): void => {
      if (!Number.isFinite(v(o)) || !Number.isFinite(v(p))) return;
      const target = what.target ? { target: what.target } : {};
      out.push({ id: id(k), bench: 'detector', name: `${what.name}, ${of}`, unit: what.unit, value: v(o), baseline: { name: 'PromQL alert', value: v(p) }, ...target, note: `naive "capacity 2× in window": ${fmt(v(n))}` });
    };
    fig('in_time', { name: `loops flagged in time, of ${o.loops}`, unit: 'count', target: `all ${o.loops}` }, (d) => d.inTime);
    fig('within_120s', { name: `loops flagged within 120 s of onset, of ${o.loops}`, unit: 'count', target: '≥ 95 %' }, (d) => d.within120s);
    fig('false_alarms', { name: `false alarms on ${o.normals} normal traces`, unit: 'count', target: '0' }, (d) => d.falseAlarms);
    fig('median_delay_s', { name: 'median delay, onset → first alert', unit: 's' }, (d) => d.medianDelaySeconds);
    fig('capacity_ratio', { name: 'capacity at alert ÷ capacity at onset (median)', unit: 'ratio' }, (d) => d.medianCapacityRatio);
  }
  return out;
}

/**
 * The figures of `make bench`: the shipped settings on every family, then "chosen on A,
 * measured on B" for each pair (bench/detector-calibrate.ts), each beside the PromQL alert on
 * the measured family.
 */
export async function benchDetector(): Promise<Figure[]> {
  const r = detectorBench();
  const { crossValidate } = await import('./detector-calibrate.ts');
  const { seedFigures, seedSweep } = await import('./detector-seeds.ts');
  return [...detectorFigures(r), ...crossFigures(r, crossValidate()), ...seedFigures(seedSweep())];
}

/** One figure per measure and pair: the setting chosen on one family, measured on the other. */
export function crossFigures(r: DetectorBenchResult, cross: readonly { chosenOn: string; measuredOn: string; setting: { confidenceZ: number; confirmations: number }; onOther: DetectorFigures }[]): Figure[] {
  const prom = DETECTORS[1]!.name;
  return cross.flatMap((c) => {
    const p = r.figures.find((f) => f.detector === prom && f.family === c.measuredOn)!;
    const o = c.onOther;
    const id = (k: string) => `detector.chosen_on_${ID[c.chosenOn]}.measured_on_${ID[c.measuredOn]}.${k}`;
    const about = `chosen on ${c.chosenOn} (z=${c.setting.confidenceZ}, ${c.setting.confirmations} evaluation${c.setting.confirmations > 1 ? 's' : ''}), measured on ${c.measuredOn}`;
    const fig = (k: string, name: string, unit: string, v: (d: DetectorFigures) => number): Figure[] =>
      Number.isFinite(v(o)) && Number.isFinite(v(p)) ? [{ id: id(k), bench: 'detector', name: `${name}: ${about}`, unit, value: v(o), baseline: { name: 'PromQL alert', value: v(p) } }] : [];
    return [
      ...fig('in_time', `loops in time, of ${o.loops}`, 'count', (d) => d.inTime),
      ...fig('within_120s', `loops within 120 s, of ${o.loops}`, 'count', (d) => d.within120s),
      ...fig('false_alarms', `false alarms, of ${o.normals}`, 'count', (d) => d.falseAlarms),
      ...fig('median_delay_s', 'median delay', 's', (d) => d.medianDelaySeconds),
    ];
  });
}

if (import.meta.main) process.stdout.write(renderDetectorBench(detectorBench()));
