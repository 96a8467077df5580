// Replays the detector over a recorded series, one evaluation per sample, exactly as the
// operator evaluates live samples. Shared by `costguard backtest`, the corpus tests and the
// bench, so all three measure the same code.
import type { Sample } from '../../signals/sample.ts';
import type { DetectorOptions } from './detect.ts';
import { evaluate, INITIAL_MEMORY, type Verdict } from './verdict.ts';

export interface ReplayChange {
  t: number;
  verdict: Verdict;
}

export interface ReplayResult {
  /** Every evaluation where the verdict changed, in time order. */
  changes: ReplayChange[];
  /** "runaway" if the detector ever called a runaway. */
  verdict: 'runaway' | 'normal';
  /** Time of the first runaway verdict, if any. */
  firstAlertT?: number;
}

export function replay(samples: readonly Sample[], opts: DetectorOptions): ReplayResult {
  let memory = INITIAL_MEMORY;
  const changes: ReplayChange[] = [];
  let firstAlertT: number | undefined;
  for (let i = 0; i < samples.length; i++) {
    const now = samples[i]!.t;
    // The detector only ever sees the past: the samples up to and including now.
    const step = evaluate(memory, samples.slice(0, i + 1), now, opts);
    memory = step.memory;
    if (!step.verdict.changed) continue;
    changes.push({ t: now, verdict: step.verdict });
    if (step.verdict.state === 'runaway' && firstAlertT === undefined) firstAlertT = now;
  }
  return { changes, verdict: firstAlertT === undefined ? 'normal' : 'runaway', ...(firstAlertT !== undefined ? { firstAlertT } : {}) };
}
