// The days the runaway detector would have flagged: the same replay `costguard backtest` runs,
// so a day recommend leaves out of the distribution is one backtest calls a runaway.
import { replay, type ReplayChange } from '../controllers/runaway/replay.ts';
import type { Sample } from '../signals/sample.ts';
import { dayKey } from './recommend-math.ts';

export interface DetectorSettings {
  windowSeconds: number;
  retryBudgetPercent: number;
}

// The detector calls a runaway only on a retry signal; without one, replaying a month of
// capacity alone costs seconds and can only answer "normal".
const RETRY_SIGNALS = ['sqs_received', 'worker_retries', 'dlq_in'] as const;

/** Day keys (see dayKey) of every sample at which the replayed verdict is runaway. */
export function runawayDays(samples: readonly Sample[], startMs: number | undefined, s: DetectorSettings): Set<string> {
  if (!samples.some((x) => RETRY_SIGNALS.some((c) => x[c] !== undefined))) return new Set();
  const result = replay(samples, { windowSeconds: s.windowSeconds, retryBudgetPercent: s.retryBudgetPercent, intervalSeconds: 0 });
  return daysInState(result.changes, samples, startMs);
}

/** Pure: which samples' days fall inside a runaway stretch of the verdict changes. */
export function daysInState(changes: readonly ReplayChange[], samples: readonly Sample[], startMs: number | undefined): Set<string> {
  const days = new Set<string>();
  let c = 0;
  let runaway = false;
  for (const s of samples) {
    while (c < changes.length && changes[c]!.t <= s.t) runaway = changes[c++]!.verdict.state === 'runaway';
    if (runaway) days.add(dayKey(s.t, startMs));
  }
  return days;
}
