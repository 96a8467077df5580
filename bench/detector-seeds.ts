// The detector on traces no file holds: every simulated scenario of both simulated families
// (the queueing model and the discrete-event simulation) rendered again with fresh seeds, so
// traffic noise, job times, failures and the observer's gaps all differ from the corpus the
// detector's tests and its calibration saw. Labels come from each run's cause, as in the
// corpus. The demo family is recorded, not seeded, and is not part of this.
import { renderDes } from '../hack/traces/des/render.ts';
import { DES_SCENARIOS } from '../hack/traces/des/scenarios.ts';
import { render } from '../hack/traces/main.ts';
import { SCENARIOS } from '../hack/traces/scenarios.ts';
import { parseTrace } from '../src/signals/trace.ts';
import { DETECTORS, type DetectorFigures, fmt, type NamedTrace, scoreFamily } from './detector.ts';
import type { Figure } from './figures.ts';

/** Fresh seeds per scenario; offsets far from the corpus's own seeds (1–300). */
export const FRESH_SEEDS = 5;
const SEED_OFFSET = 1000;

/** The scenario with its traffic seed and its observer's seed moved by k offsets (either family). */
function reseed<S extends { params: { seed: number }; observation?: { seed: number } }>(s: S, k: number): S {
  const off = SEED_OFFSET * k;
  return { ...s, params: { ...s.params, seed: s.params.seed + off }, ...(s.observation ? { observation: { ...s.observation, seed: s.observation.seed + off } } : {}) };
}

/** Renders a reseeded scenario; a run in which the autoscaler never answered the cause has no label and is left out (counted). */
function tryRender(name: string, text: () => string): NamedTrace | undefined {
  try {
    return { name, trace: parseTrace(text()) };
  } catch {
    return undefined;
  }
}

export interface SeedSweep {
  seeds: number;
  traces: NamedTrace[];
  unlabelled: string[];
  figures: DetectorFigures[];
}

export function seedSweep(seeds = FRESH_SEEDS): SeedSweep {
  const traces: NamedTrace[] = [];
  const unlabelled: string[] = [];
  for (let k = 1; k <= seeds; k++) {
    const runs = [
      ...SCENARIOS.map((s) => ({ name: `${s.name}+${k}`, text: () => render(reseed(s, k)) })),
      ...DES_SCENARIOS.map((s) => ({ name: `${s.name}+${k}`, text: () => renderDes(reseed(s, k)) })),
    ];
    for (const r of runs) {
      const t = tryRender(r.name, r.text);
      if (t) traces.push(t);
      else unlabelled.push(r.name);
    }
  }
  const figures = DETECTORS.map((d) => scoreFamily(d.name, 'fresh seeds', traces, traces.map((t) => d.first(t.trace.samples))));
  return { seeds, traces, unlabelled, figures };
}

/** CostGuard's figures on the fresh seeds, each beside the PromQL alert; the naive rule in the note. */
export function seedFigures(r: SeedSweep): Figure[] {
  const [o, p, n] = r.figures as [DetectorFigures, DetectorFigures, DetectorFigures];
  const about = `${r.traces.length} traces: every simulated scenario with ${r.seeds} fresh seeds${r.unlabelled.length ? ` (${r.unlabelled.length} runs left out: the autoscaler never answered the cause)` : ''}`;
  const fig = (k: string, name: string, unit: string, v: (d: DetectorFigures) => number): Figure => ({
    id: `detector.fresh_seeds.${k}`,
    bench: 'detector',
    name: `${name}, fresh seeds`,
    unit,
    value: v(o),
    baseline: { name: 'PromQL alert', value: v(p) },
    note: `${about}; naive "capacity 2× in window": ${fmt(v(n))}`,
  });
  return [
    fig('in_time', `loops flagged in time, of ${o.loops}`, 'count', (d) => d.inTime),
    fig('within_120s', `loops flagged within 120 s of onset, of ${o.loops}`, 'count', (d) => d.within120s),
    fig('false_alarms', `false alarms on ${o.normals} normal traces`, 'count', (d) => d.falseAlarms),
    fig('median_delay_s', 'median delay, onset → first alert', 's', (d) => d.medianDelaySeconds),
  ];
}

if (import.meta.main) {
  const r = seedSweep();
  for (const f of r.figures) process.stdout.write(`${f.detector}: in time ${f.inTime}/${f.loops}, within 120 s ${f.within120s}/${f.loops}, false alarms ${f.falseAlarms}/${f.normals}, median ${fmt(f.medianDelaySeconds)} s\n`);
  if (r.unlabelled.length) process.stdout.write(`left out: ${r.unlabelled.join(', ')}\n`);
}
