// The demo scenario as a benchmark: the incident unguarded (the baseline) and guarded, side
// by side in one run (hack/demo/run.ts, the full scenario of `make demo`). One simulated minute
// is one real second and the detector samples every half second (its default 30 s, compressed),
// so the times below are real seconds of this compressed run: ×60 gives simulated time.
import { runDemo, type DemoResult } from '../hack/demo/run.ts';
import { FULL, type Timing } from '../hack/demo/scenario.ts';
import { figuresOf } from '../hack/demo/summary.ts';
import type { Figure } from './figures.ts';

const BENCH = 'demo';

/** Seconds from the onset to the minute the unguarded fleet first stood at its MaxSize. */
function unguardedAtMax(r: DemoResult, tickSeconds: number): number | undefined {
  const u = r.unguarded;
  const at = u.ticks.find((k) => k.t >= u.timing.onset && k.desired >= k.maxSize)?.t;
  return at === undefined ? undefined : (at - u.timing.onset) * tickSeconds;
}

export function demoFigures(r: DemoResult): Figure[] {
  const tickSeconds = r.guarded.timing.tickMs / 1000;
  const f = figuresOf(r);
  const atMax = unguardedAtMax(r, tickSeconds);
  const out: Figure[] = [];
  if (f.onsetToClampMinutes !== undefined) {
    out.push({
      id: 'demo.onset_to_clamp_s',
      bench: BENCH,
      name: 'Onset → brake clamps the group (Freeze)',
      value: f.onsetToClampMinutes * tickSeconds,
      unit: 's',
      ...(atMax !== undefined ? { baseline: { name: 'unguarded: onset → the fleet stands at MaxSize', value: atMax } } : {}),
      note: 'Measured at the demo\'s one-second ticks; the detector samples every 0.5 s here (its default 30 s, compressed 60×).',
    });
  }
  if (f.onsetToSlackMinutes !== undefined) {
    out.push({
      id: 'demo.onset_to_slack_s',
      bench: BENCH,
      name: 'Onset → first Slack message (sink arrival)',
      value: f.onsetToSlackMinutes * tickSeconds,
      unit: 's',
      note: 'No same-run baseline: the unguarded run sends no alert at all (AWS Cost Anomaly Detection runs about 3 times a day).',
    });
  }
  out.push(
    {
      id: 'demo.cost_vs_normal',
      bench: BENCH,
      name: 'Estimated cost of the run ÷ the normal bill (baseline fleet, same time)',
      value: f.guardedRatio,
      unit: 'ratio',
      baseline: { name: 'unguarded run', value: f.unguardedRatio },
      target: '≤ 1.1 guarded; the unguarded run about 3',
    },
    {
      id: 'demo.cost_guarded_over_unguarded',
      bench: BENCH,
      name: 'Guarded ÷ unguarded estimated cost',
      value: f.costRatio,
      unit: 'ratio',
      baseline: { name: 'unguarded run', value: 1 },
    },
    {
      id: 'demo.peak_instances',
      bench: BENCH,
      name: 'Peak instances during the incident',
      value: r.guarded.peakInstances,
      unit: 'count',
      baseline: { name: 'unguarded run', value: r.unguarded.peakInstances },
    },
  );
  return out;
}

/** Runs the full demo scenario quietly (progress to stderr) and returns its figures. */
export async function benchDemo(timing: Timing = FULL): Promise<Figure[]> {
  const say = (line: string): void => void process.stderr.write(`[demo] ${line}\n`);
  const result = await runDemo({ timing, say, signal: new AbortController().signal });
  return demoFigures(result);
}

/** A markdown section for bench results. */
export function renderDemoBench(figures: readonly Figure[]): string {
  const rows = figures.map((f) => `| ${f.name} | ${f.value} ${f.unit} | ${f.baseline ? `${f.baseline.value} ${f.unit} (${f.baseline.name})` : '–'} | ${f.target ?? ''} |`);
  return ['## Demo scenario: the incident, guarded vs unguarded (same run)', '', '| measure | guarded | baseline | target |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}
