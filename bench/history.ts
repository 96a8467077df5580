// `costguard recommend` over a simulated month (bench/history-model.ts): 20 groups, 30 days of
// one-minute desired capacity, one runaway. The history is written as export files and run
// through the command's own code (recommendText), then scored against the model's ground
// truth, which recommend never sees: minutes the proposed ceilings would have bound on normal
// days, and what the runaway day would have cost under them. The baseline is the same command
// with its two guards off (`--unusual-peak=100 --below-normal-peak`): p99 × 1.2 of the whole
// month, runaway included.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { recommendText } from '../src/cli/recommend.ts';
import type { Figure } from './figures.ts';
import { dailyBindingMinutes, dailyInstanceMinutes, simulateFleet, type GroupHistory } from './history-model.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const FLEET = { groups: 20, days: 30, seed: 20, runaway: { group: 7, day: 17 } };

function writeExports(fleet: readonly GroupHistory[], dir: string): string[] {
  return fleet.map((g) => {
    const path = join(dir, `${g.name}.csv`);
    const head = [`# group: ${g.name}`, '# region: us-east-1', '# instance_type: m5.large', `# start: ${new Date(START).toISOString()}`, '# period: 60s', 't,desired'];
    writeFileSync(path, `${[...head, ...g.desired.map((d, i) => `${i * 60},${d}`)].join('\n')}\n`);
    return path;
  });
}

function ceilings(files: readonly string[], flags: readonly string[]): Map<string, number> {
  const doc = parse(recommendText([...files, ...flags])) as { spec: { scalingGroups: { name: string; maxSize: number }[] } };
  return new Map(doc.spec.scalingGroups.map((g) => [g.name, g.maxSize]));
}

interface Score {
  normalBindingMinutes: number;
  /** The runaway day's instance-minutes under the ceiling ÷ the group's median normal day. */
  runawayDayRatio: number;
  /** The runaway group's month under the ceiling ÷ the same month without the incident. */
  runawayMonthRatio: number;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function score(fleet: readonly GroupHistory[], ceiling: ReadonlyMap<string, number>): Score {
  let normalBindingMinutes = 0;
  let runawayDayRatio = NaN;
  let runawayMonthRatio = NaN;
  for (const g of fleet) {
    const c = ceiling.get(g.name)!;
    const binding = dailyBindingMinutes(g.desired, c);
    normalBindingMinutes += binding.reduce((sum, m, day) => sum + (day === g.runawayDay ? 0 : m), 0);
    if (g.runawayDay === undefined) continue;
    const days = dailyInstanceMinutes(g.desired, c);
    const normalDays = days.filter((_, day) => day !== g.runawayDay);
    runawayDayRatio = days[g.runawayDay]! / median(normalDays);
    const month = days.reduce((a, b) => a + b, 0);
    runawayMonthRatio = month / (month - days[g.runawayDay]! + median(normalDays));
  }
  return { normalBindingMinutes, runawayDayRatio, runawayMonthRatio };
}

export function benchHistory(): Promise<Figure[]> {
  const fleet = simulateFleet(FLEET);
  const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
  try {
    const files = writeExports(fleet, dir);
    const started = performance.now();
    const proposed = score(fleet, ceilings(files, []));
    const seconds = (performance.now() - started) / 1000;
    const naive = score(fleet, ceilings(files, ['--unusual-peak=100', '--below-normal-peak']));
    const unguarded = score(fleet, new Map(fleet.map((g) => [g.name, Infinity])));
    const bench = 'history';
    const naiveName = 'p99 × 1.2 of the whole month (no day left out, no normal-day floor)';
    return Promise.resolve([
      { id: 'history.normal_day_binding_minutes', bench, name: 'Minutes the recommended ceilings bind on normal days (20 groups × 30 days)', value: proposed.normalBindingMinutes, unit: 'count', baseline: { name: naiveName, value: naive.normalBindingMinutes }, target: '0' },
      { id: 'history.runaway_day_cost_ratio', bench, name: 'Runaway day\'s bill under the recommended ceiling ÷ a normal day\'s (median)', value: round(proposed.runawayDayRatio), unit: 'ratio', baseline: { name: 'no ceiling', value: round(unguarded.runawayDayRatio) }, target: '≤ 1.5×' },
      { id: 'history.runaway_day_cost_ratio_naive', bench, name: `Runaway day's bill under ${naiveName} ÷ a normal day's`, value: round(naive.runawayDayRatio), unit: 'ratio', baseline: { name: 'no ceiling', value: round(unguarded.runawayDayRatio) } },
      { id: 'history.runaway_month_cost_ratio', bench, name: 'Runaway group\'s month under the recommended ceiling ÷ the month without the incident', value: round(proposed.runawayMonthRatio), unit: 'ratio', baseline: { name: 'no ceiling', value: round(unguarded.runawayMonthRatio) } },
      { id: 'history.recommend_s', bench, name: 'costguard recommend over 20 one-month exports (864,000 rows), in process', value: round(seconds), unit: 's', note: 'no baseline: no other tool recommends Auto Scaling group ceilings from history' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (import.meta.main) {
  for (const f of await benchHistory()) process.stdout.write(`${f.id}: ${f.value} ${f.unit}${f.baseline ? ` (${f.baseline.name}: ${f.baseline.value})` : ''}\n`);
}
