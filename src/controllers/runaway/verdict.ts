// The detector over time: hysteresis on top of the per-window assessment. A verdict changes
// only after the new signature has held for several consecutive evaluations (entering a
// runaway takes the assessment's `confirmations` — CONFIRM, doubled while the retry sources
// disagree — leaving it takes RELEASE), so one noisy sample neither raises nor clears an
// alarm. Pure: the caller keeps the memory (in process, or from status on restart).
import type { Sample } from '../../signals/sample.ts';
import { assess, BASE_CONFIRMATIONS, type Assessment, type DetectorOptions, type Signature } from './detect.ts';
import { evidenceOf } from './evidence.ts';

export type VerdictState = 'normal' | 'runaway' | 'downstream';

export interface DetectorMemory {
  state: VerdictState;
  /** Seconds (sample clock) when the state last changed. */
  since?: number;
  /** The state the evaluations point at, and for how many consecutive evaluations. */
  pending?: VerdictState;
  streak: number;
}

export interface Verdict {
  state: VerdictState;
  since?: number;
  score: number;
  confidence: number;
  healthy: boolean;
  /** False when the recent samples carry no retry share: the brake neither releases nor relapses on it. */
  retryKnown: boolean;
  /** False when the window carries no useful throughput (deletes or successes): "no loop" cannot be told. */
  throughputKnown?: boolean;
  evidence: string[];
  signature: Signature;
  /** True on the evaluation where `state` changed. */
  changed: boolean;
}

/** Evaluations needed to enter each state from another, and to return to normal. */
export const HYSTERESIS = { confirm: BASE_CONFIRMATIONS, release: 4 } as const;

export const INITIAL_MEMORY: DetectorMemory = { state: 'normal', streak: 0 };

/** One evaluation at `now` without the evidence text: the new memory, the assessment, and whether the state changed. */
export function step(memory: DetectorMemory, samples: readonly Sample[], now: number, opts: DetectorOptions): { memory: DetectorMemory; assessment: Assessment; changed: boolean } {
  const assessment = assess(samples, now, opts);
  const next = advance(memory, candidateOf(assessment, memory.state), now, assessment.confirmations);
  return { memory: next, assessment, changed: next.state !== memory.state };
}

/** The verdict of a step, with its evidence (formatted only when asked for: replays skip the unchanged ones). */
export function verdictOf(s: ReturnType<typeof step>, samples: readonly Sample[], now: number, windowSeconds: number): Verdict {
  const a = s.assessment;
  return {
    state: s.memory.state,
    ...(s.memory.since !== undefined ? { since: s.memory.since } : {}),
    score: a.score,
    confidence: a.confidence,
    healthy: a.healthy,
    retryKnown: a.retryKnown,
    throughputKnown: a.coverage.throughput,
    evidence: evidenceOf(samples, now, a, windowSeconds),
    signature: a.signature,
    changed: s.changed,
  };
}

/** One evaluation at `now`: the new memory and the verdict with its evidence. */
export function evaluate(memory: DetectorMemory, samples: readonly Sample[], now: number, opts: DetectorOptions): { memory: DetectorMemory; verdict: Verdict } {
  const s = step(memory, samples, now, opts);
  return { memory: s.memory, verdict: verdictOf(s, samples, now, opts.windowSeconds) };
}

function candidateOf(a: Assessment, current: VerdictState): VerdictState {
  if (a.signature === 'loop') return 'runaway';
  // Once the window slides past the growth, a loop still burning retries no longer shows all
  // three legs; trouble ends only when the retries are back within budget.
  if (current === 'runaway' && !a.healthy) return 'runaway';
  if (a.signature === 'downstream') return 'downstream';
  return current === 'downstream' && !a.healthy ? 'downstream' : 'normal';
}

function advance(m: DetectorMemory, candidate: VerdictState, now: number, confirm: number): DetectorMemory {
  if (candidate === m.state) return { state: m.state, ...(m.since !== undefined ? { since: m.since } : {}), streak: 0 };
  // A runaway seen while "downstream" is still pending counts toward it, and vice versa: both
  // are trouble, and leaving a runaway for normal needs the longer, quieter streak.
  const streak = m.pending === candidate ? m.streak + 1 : 1;
  const needed = m.state === 'runaway' && candidate === 'normal' ? HYSTERESIS.release : confirm;
  if (streak >= needed) return { state: candidate, since: now, streak: 0 };
  return { ...m, pending: candidate, streak };
}
