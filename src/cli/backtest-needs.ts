// Pure: what a backtest verdict needs from a trace, and what this one lacks. The detector calls
// a loop from three legs — capacity, a retry share and useful throughput — so a trace without
// any one of them can never be called a loop, and "normal" would claim what was never seen.
// The answer is then `unknown`, naming what is missing and what the file should carry.
import type { Sample, SignalColumn } from '../signals/sample.ts';

interface Need {
  what: string;
  /** Any one of these alternatives, each a set of columns that must all carry values. */
  anyOf: readonly (readonly SignalColumn[])[];
}

const NEEDS: readonly Need[] = [
  { what: 'capacity (desired or in_service)', anyOf: [['desired'], ['in_service']] },
  { what: 'a retry share (sqs_received with sqs_deleted, worker_retries, or dlq_in)', anyOf: [['sqs_received', 'sqs_deleted'], ['worker_retries'], ['dlq_in']] },
  { what: 'useful throughput (sqs_deleted or worker_successes)', anyOf: [['sqs_deleted'], ['worker_successes']] },
];

/** The legs the trace carries no value for, in words; empty when a verdict can be made. */
export function missingLegs(samples: readonly Sample[]): string[] {
  const seen = new Set<string>();
  for (const s of samples) for (const [k, v] of Object.entries(s)) if (v !== undefined) seen.add(k);
  return NEEDS.filter((n) => !n.anyOf.some((cols) => cols.every((c) => seen.has(c)))).map((n) => n.what);
}

/** The median step between rows, in the trace's seconds; undefined below two rows. */
function medianStep(samples: readonly Sample[]): number | undefined {
  const steps = samples.slice(1).map((s, i) => s.t - samples[i]!.t).sort((a, b) => a - b);
  return steps.length ? steps[Math.floor(steps.length / 2)] : undefined;
}

/**
 * Why no window held enough samples to judge: the row count and, when rows are seconds apart
 * by the thousand, the likely cause (t written in milliseconds; t is seconds).
 */
export function tooFewText(samples: readonly Sample[], windowSeconds: number): string {
  const step = medianStep(samples);
  const ms = step !== undefined && step >= 1000 ? `; rows are ${step} s apart: t is in seconds from the first sample, and this looks like milliseconds` : '';
  return `no ${windowSeconds} s window holds enough samples to judge (${samples.length} rows${ms})`;
}
