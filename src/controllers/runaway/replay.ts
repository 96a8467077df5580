// Replays the detector over a recorded series, one evaluation per sample, exactly as the
// operator evaluates live samples. Shared by `costguard backtest`, the corpus tests and the
// bench, so all three measure the same code.
import type { Sample } from '../../signals/sample.ts';
import type { DetectorOptions } from './detect.ts';
import { INITIAL_MEMORY, step, verdictOf, type Verdict } from './verdict.ts';

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
  /** Evaluations whose window held enough samples to judge (0: the verdict was never really made). */
  judged: number;
}

export interface ReplayOptions extends DetectorOptions {
  /**
   * Evaluate at most once per this many seconds, as the operator samples; 0 or absent
   * evaluates at every sample.
   */
  evaluateEverySeconds?: number;
}

export function replay(samples: readonly Sample[], opts: ReplayOptions): ReplayResult {
  let memory = INITIAL_MEMORY;
  const changes: ReplayChange[] = [];
  let firstAlertT: number | undefined;
  let lastEval = -Infinity;
  let from = 0;
  let judged = 0;
  for (let i = 0; i < samples.length; i++) {
    const now = samples[i]!.t;
    const every = opts.evaluateEverySeconds ?? 0;
    // Ticks fall on multiples of the interval, as the operator's sampling clock does.
    if (every > 0 && Math.floor(now / every) <= Math.floor(lastEval / every)) continue;
    lastEval = now;
    while (samples[from]!.t <= now - opts.windowSeconds) from++;
    // The detector only ever sees the past: the window's samples up to and including now.
    const seen = samples.slice(from, i + 1);
    const next = step(memory, seen, now, opts);
    memory = next.memory;
    if (next.assessment.signature !== 'insufficient') judged++;
    if (!next.changed) continue;
    // Evidence is formatted only where the verdict changed: that is all a replay reports.
    const verdict = verdictOf(next, seen, now, opts.windowSeconds);
    changes.push({ t: now, verdict });
    if (verdict.state === 'runaway' && firstAlertT === undefined) firstAlertT = now;
  }
  return { changes, verdict: firstAlertT === undefined ? 'normal' : 'runaway', judged, ...(firstAlertT !== undefined ? { firstAlertT } : {}) };
}
