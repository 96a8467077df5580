// "Chosen on A, measured on B": the detector's two free settings — the z of its confidence
// bounds and the evaluations a verdict needs — are chosen on one trace family alone, then the
// figures are measured on the other family, which the choice never saw. The choice is
// lexicographic on the chosen-on family: fewest false alarms, then most loops in time, then
// most within 120 s, then the shortest median delay; ties go to the more cautious setting.
import { replay } from '../src/controllers/runaway/replay.ts';
import { type DetectorFigures, FAMILIES, loadFamily, type NamedTrace, scoreFamily } from './detector.ts';

export interface Setting {
  confidenceZ: number;
  confirmations: number;
}

/**
 * One-sided 95 % and 99 % bounds (a 90 % bound is not offered: at 2,880 evaluations a day it is
 * too loose to stand behind an alert), and one to three evaluations in a row.
 */
export const GRID: readonly Setting[] = [1.645, 2.326].flatMap((confidenceZ) => [1, 2, 3].map((confirmations) => ({ confidenceZ, confirmations })));

export interface CrossResult {
  chosenOn: string;
  measuredOn: string;
  setting: Setting;
  onChosen: DetectorFigures;
  onOther: DetectorFigures;
}

function run(traces: readonly NamedTrace[], family: string, s: Setting): DetectorFigures {
  const alerts = traces.map((t) => replay(t.trace.samples, { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30, evaluateEverySeconds: 30, ...s }).firstAlertT);
  return scoreFamily(`CostGuard z=${s.confidenceZ} confirm=${s.confirmations}`, family, traces, alerts);
}

/** Negative when `a` is the better choice. */
function compare(a: { f: DetectorFigures; s: Setting }, b: { f: DetectorFigures; s: Setting }): number {
  const keys: [number, number][] = [
    [a.f.falseAlarms, b.f.falseAlarms],
    [-a.f.inTime, -b.f.inTime],
    [-a.f.within120s, -b.f.within120s],
    [a.f.medianDelaySeconds, b.f.medianDelaySeconds],
    [-a.s.confidenceZ, -b.s.confidenceZ],
    [-a.s.confirmations, -b.s.confirmations],
  ];
  for (const [x, y] of keys) if (x !== y) return x - y;
  return 0;
}

export function choose(traces: readonly NamedTrace[], family: string, grid: readonly Setting[] = GRID): { setting: Setting; figures: DetectorFigures } {
  const scored = grid.map((s) => ({ s, f: run(traces, family, s) })).sort(compare);
  return { setting: scored[0]!.s, figures: scored[0]!.f };
}

/** Each family in turn chooses; every other family measures. */
export function crossValidate(families: readonly { name: string; dir: string }[] = FAMILIES): CrossResult[] {
  const loaded = families.map((f) => ({ name: f.name, traces: loadFamily(f.dir) }));
  return loaded.flatMap((a) => {
    const { setting, figures } = choose(a.traces, a.name);
    return loaded.filter((b) => b !== a).map((b) => ({ chosenOn: a.name, measuredOn: b.name, setting, onChosen: figures, onOther: run(b.traces, b.name, setting) }));
  });
}

if (import.meta.main) {
  for (const r of crossValidate()) {
    const f = (d: DetectorFigures) => `in time ${d.inTime}/${d.loops}, within 120 s ${d.within120s}/${d.loops}, false alarms ${d.falseAlarms}/${d.normals}, median ${d.medianDelaySeconds} s`;
    process.stdout.write(`chosen on ${r.chosenOn} (z=${r.setting.confidenceZ}, ${r.setting.confirmations} evaluations): ${f(r.onChosen)}\n  measured on ${r.measuredOn}: ${f(r.onOther)}\n`);
  }
}
