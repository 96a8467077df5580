// Runaway detection quality over the trace corpus (test/traces/): how soon after onset each
// loop is flagged, how many normal traces are called runaways, how many loops are missed —
// for CostGuard's detector and for a naive baseline ("capacity up 2× within the window"),
// side by side on the same samples. No environment needed: pure functions over files.
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
import type { Figure } from './figures.ts';

export const AWS_ANOMALY_CADENCE_SECONDS = 8 * 3600;
const WINDOW_SECONDS = 1800;
const INTERVAL_SECONDS = 30;

export interface DetectorFigures {
  name: string;
  flagged: number;
  runaways: number;
  missed: number;
  falsePositives: number;
  normals: number;
  medianDelaySeconds: number;
  maxDelaySeconds: number;
  medianDelaySamples: number;
  maxDelaySamples: number;
  /** Loops flagged within 120 s of onset. */
  within120s: number;
  /** The AWS anomaly cadence divided by this detector's worst delay. */
  timesFasterThanAwsCadence: number;
}

export interface DetectorBenchResult {
  traces: number;
  intervalSeconds: number;
  windowSeconds: number;
  detectors: DetectorFigures[];
  perTrace: { trace: string; label: string; detector: string; baseline: string }[];
}

type FirstAlert = (samples: readonly Sample[]) => number | undefined;

const costguard: FirstAlert = (samples) => replay(samples, { windowSeconds: WINDOW_SECONDS, retryBudgetPercent: 10, intervalSeconds: INTERVAL_SECONDS }).firstAlertT;

/** The naive rule a dashboard alert would use: capacity doubled within the window. */
export const naiveDoubling: FirstAlert = (samples) => {
  for (const s of samples) {
    const cap = capacityOf(s);
    if (cap === undefined) continue;
    const low = Math.min(...samples.filter((x) => x.t <= s.t && x.t > s.t - WINDOW_SECONDS).map((x) => capacityOf(x) ?? Infinity));
    if (cap >= 2 * low) return s.t;
  }
  return undefined;
};

function loadCorpus(dir: string): { name: string; trace: Trace }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => ({ name: f, trace: parseTrace(readFileSync(join(dir, f), 'utf8')) }));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function figures(name: string, corpus: readonly { trace: Trace }[], first: readonly (number | undefined)[]): DetectorFigures {
  const delays: number[] = [];
  let missed = 0;
  let falsePositives = 0;
  corpus.forEach(({ trace }, i) => {
    const alert = first[i];
    const label = trace.label;
    if (label?.kind === 'runaway') {
      // An alert before onset still counts as caught, with no delay: it is not a false positive
      // on a trace that does run away, but it claims no credit for speed either.
      if (alert === undefined) missed++;
      else delays.push(Math.max(0, alert - label.onset));
    } else if (alert !== undefined) falsePositives++;
  });
  const runaways = corpus.filter((c) => c.trace.label?.kind === 'runaway').length;
  const max = delays.length ? Math.max(...delays) : NaN;
  return {
    name,
    flagged: delays.length,
    runaways,
    missed,
    falsePositives,
    normals: corpus.length - runaways,
    medianDelaySeconds: median(delays),
    maxDelaySeconds: max,
    medianDelaySamples: median(delays) / INTERVAL_SECONDS,
    maxDelaySamples: max / INTERVAL_SECONDS,
    within120s: delays.filter((d) => d <= 120).length,
    timesFasterThanAwsCadence: AWS_ANOMALY_CADENCE_SECONDS / Math.max(max, INTERVAL_SECONDS),
  };
}

export function detectorBench(dir: string = join(import.meta.dirname, '..', 'test', 'traces')): DetectorBenchResult {
  const corpus = loadCorpus(dir);
  const ours = corpus.map((c) => costguard(c.trace.samples));
  const naive = corpus.map((c) => naiveDoubling(c.trace.samples));
  const show = (t: number | undefined) => (t === undefined ? '-' : String(t));
  return {
    traces: corpus.length,
    intervalSeconds: INTERVAL_SECONDS,
    windowSeconds: WINDOW_SECONDS,
    detectors: [figures('CostGuard detector', corpus, ours), figures('naive: capacity 2× in window', corpus, naive)],
    perTrace: corpus.map((c, i) => ({
      trace: c.name,
      label: c.trace.label?.kind === 'runaway' ? `runaway onset=${c.trace.label.onset}` : 'normal',
      detector: show(ours[i]),
      baseline: show(naive[i]),
    })),
  };
}

/** The per-trace detail as Markdown (`node bench/detector.ts`); RESULTS.md has the figures. */
export function renderDetectorBench(r: DetectorBenchResult): string {
  const rows = r.detectors.map(
    (d) =>
      `| ${d.name} | ${d.flagged}/${d.runaways} | ${d.missed} | ${d.falsePositives}/${d.normals} | ${fmt(d.medianDelaySeconds)} s (${fmt(d.medianDelaySamples)}) | ${fmt(d.maxDelaySeconds)} s (${fmt(d.maxDelaySamples)}) | ${d.within120s}/${d.runaways} | ${fmt(d.timesFasterThanAwsCadence)}× |`,
  );
  const traces = r.perTrace.map((p) => `| ${p.trace} | ${p.label} | ${p.detector} | ${p.baseline} |`);
  return `## Runaway detection: ${r.traces} labelled traces (test/traces/), ${r.intervalSeconds} s sampling, ${r.windowSeconds / 60} min window

| detector | loops flagged | missed | false positives | median delay (samples) | max delay (samples) | within 120 s | AWS anomaly cadence (8 h) ÷ max delay |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Delay is from the labelled onset (the first sample where added capacity is in service while
retries exceed the budget) to the first runaway verdict. AWS Cost Anomaly Detection runs
approximately three times a day (AWS Cost Management User Guide), so ~8 h is its best case.

| trace | label | CostGuard first alert (s) | naive first alert (s) |
| --- | --- | --- | --- |
${traces.join('\n')}
`;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '-';
}

/** The figures of one run: CostGuard's detector beside the naive rule on the same samples. */
export function detectorFigures(r: DetectorBenchResult): Figure[] {
  const [ours, naive] = r.detectors;
  if (!ours || !naive) throw new Error('detector: expected two detectors');
  const bench = 'detector';
  const vs = (value: (d: DetectorFigures) => number) => ({ value: value(ours), baseline: { name: naive.name, value: value(naive) } });
  const corpus = `${r.traces} traces`;
  return [
    { id: 'detector.false_positives', bench, name: `false positives on the ${ours.normals} normal traces`, unit: 'count', ...vs((d) => d.falsePositives), target: '0' },
    { id: 'detector.missed', bench, name: `loops missed of ${ours.runaways}`, unit: 'count', ...vs((d) => d.missed), target: '0' },
    { id: 'detector.median_delay_s', bench, name: `median delay, onset → first verdict (${corpus})`, unit: 's', ...vs((d) => d.medianDelaySeconds) },
    {
      id: 'detector.max_delay_s',
      bench,
      name: `worst delay, onset → first verdict (${corpus})`,
      unit: 's',
      ...vs((d) => d.maxDelaySeconds),
      target: 'within 120 s',
      note: `AWS Cost Anomaly Detection's cadence (about 8 h) is ${fmt(ours.timesFasterThanAwsCadence)}× CostGuard's worst delay.`,
    },
    { id: 'detector.within_120s', bench, name: `loops flagged within 120 s of onset, of ${ours.runaways}`, unit: 'count', ...vs((d) => d.within120s) },
  ];
}

export function benchDetector(): Promise<Figure[]> {
  return Promise.resolve(detectorFigures(detectorBench()));
}

if (import.meta.main) process.stdout.write(renderDetectorBench(detectorBench()));
