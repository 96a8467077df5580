// The recorded family's degraded views: recordings of the demo's real fleet seen the ways real
// signal sources degrade (hack/traces/observe.ts, shared by every family): noise and missing
// cells, gaps in SQS's deletes alone, CloudWatch's 300 s resolution and a late datapoint (the
// workers' counters published through CloudWatch), a worker pod's counter reset, and sources
// that disagree — another consumer receiving messages it does not delete, which SQS counts and
// the workers never see. Derived, so deterministic: the same recording and seed write the same
// file.
// Run: node hack/traces/demo/derive.ts [dir]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignalColumn } from '../../../src/signals/sample.ts';
import { formatTrace, parseTrace } from '../../../src/signals/trace.ts';
import { type Observation, observe } from '../observe.ts';

export interface DerivedScenario {
  name: string;
  /** The recording it is derived from (a file of test/traces/demo/ without .csv). */
  from: string;
  description: string;
  observation: Observation;
}

const WORKER_COUNTERS: readonly SignalColumn[] = ['worker_attempts', 'worker_retries', 'worker_successes', 'worker_failures'];

export const DERIVED_SCENARIOS: readonly DerivedScenario[] = [
  { name: 'demo-normal-load-growth-noisy-gappy', from: 'demo-normal-load-growth', description: 'The recorded load growth seen with 20 % measurement noise and 20 % of the cells missing.', observation: { seed: 301, noise: 0.2, missingShare: 0.2 } },
  { name: 'demo-normal-load-growth-300s', from: 'demo-normal-load-growth', description: "The recorded load growth with the workers' counters at CloudWatch's 300 s resolution (one period late).", observation: { seed: 302, resolution: 300, delivered: WORKER_COUNTERS } },
  { name: 'demo-normal-refresh-late-reset', from: 'demo-normal-refresh', description: "The recorded instance refresh with one workers' datapoint a sample late (minute 16) and a worker counter reset (minute 18).", observation: { seed: 303, latePointAt: 1020, counterResetAt: 1140, delivered: WORKER_COUNTERS } },
  { name: 'demo-normal-flash-crowd-throttled-gappy', from: 'demo-normal-flash-crowd-throttled', description: 'The recorded throttled flash crowd with 15 % of the cells missing.', observation: { seed: 304, missingShare: 0.15 } },
  { name: 'demo-normal-load-growth-sources-disagree', from: 'demo-normal-load-growth', description: 'The recorded load growth while another consumer receives messages it does not delete from minute 8: SQS receives 40 % above the fleet\'s, the workers see no retries.', observation: { seed: 306, extraReceivesFrom: 540, extraReceivesShare: 0.4 } },
  { name: 'demo-normal-load-growth-deletes-gappy', from: 'demo-normal-load-growth', description: 'The recorded load growth with 15 % of the sqs_deleted cells missing: a gap in deletes is not a retry.', observation: { seed: 307, missingShare: 0.15, missingColumns: ['sqs_deleted'] } },
  { name: 'demo-runaway-slow-12m-gappy', from: 'demo-runaway-slow-12m', description: 'The recorded 12-minute slowdown loop with 10 % of the cells missing.', observation: { seed: 305, missingShare: 0.1 } },
];

const DEMO = join(import.meta.dirname, '..', '..', '..', 'test', 'traces', 'demo');

/** The derived trace's text, from the recording in `dir`; the label is the recording's. */
export function renderDerived(d: DerivedScenario, dir = DEMO): string {
  const text = readFileSync(join(dir, `${d.from}.csv`), 'utf8');
  const source = parseTrace(text);
  const label = /^# label: (.*)$/m.exec(text)?.[1];
  if (!label) throw new Error(`${d.from}.csv has no label`);
  const seen = observe(source.samples, d.observation);
  return formatTrace(source.columns, seen, [`label: ${label}`, `scenario: ${d.name}: ${d.description}`, `derived from ${d.from}.csv by hack/traces/demo/derive.ts (observer seed ${d.observation.seed})`]);
}

if (import.meta.main) {
  const dir = process.argv[2] ?? DEMO;
  for (const d of DERIVED_SCENARIOS) writeFileSync(join(dir, `${d.name}.csv`), renderDerived(d, dir));
  process.stdout.write(`wrote ${DERIVED_SCENARIOS.length} derived traces to ${dir}\n`);
}
