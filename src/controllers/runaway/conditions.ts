// The runaway controller's conditions: RunawayWatched (the section works: signals are being
// sampled), RunawaySuspected (the verdict) and BrakeEngaged (the brake holds). Pure.
import { ConditionType, type BrakeStatus, type RunawayStatus } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import type { SourceFailure } from '../../signals/source.ts';
import type { Verdict } from './verdict.ts';

export interface ConditionFacts {
  runaway: RunawayStatus;
  brake?: BrakeStatus;
  verdict: Verdict;
  sources: readonly string[];
  failures: readonly SourceFailure[];
  intervalText: string;
  /** Signals the tenancy policy refused (never read), as sentences naming the operator setting. */
  refused?: readonly string[];
  /** "DryRun" / "paused" when the brake may not act. */
  notActingBecause?: string;
}

export function runawayConditions(f: ConditionFacts): ConditionInput[] {
  return [watched(f), suspected(f), engaged(f)];
}

function watched(f: ConditionFacts): ConditionInput {
  const c = watchedBySignals(f);
  if (!f.refused?.length) return c;
  return { ...c, message: `${c.message} Not read, refused by the operator's tenancy policy: ${f.refused.join('; ')}.`.slice(0, 1024) };
}

function watchedBySignals(f: ConditionFacts): ConditionInput {
  const failing = f.failures.map((x) => `${x.source}: ${x.message}`);
  const working = f.sources.filter((s) => !f.failures.some((x) => x.source === s));
  if (!working.some((s) => s !== 'capacity')) {
    return { type: ConditionType.RunawayWatched, status: 'False', reason: 'SignalsUnavailable', message: `No retry or throughput signal answered: ${failing.join('; ') || 'none configured'}.`.slice(0, 1024) };
  }
  if (retryBlind(f)) {
    const why = failing.length ? `failing: ${failing.join('; ')}` : 'no source reported retries or attempts';
    return {
      type: ConditionType.RunawayWatched,
      status: 'False',
      reason: 'RetrySignalsMissing',
      message: `No retry share in the recent samples (${why}): health cannot be told from a loop, so an engaged brake holds where it stands.`.slice(0, 1024),
    };
  }
  if (failing.length) {
    return { type: ConditionType.RunawayWatched, status: 'True', reason: 'SignalsDegraded', message: `Sampling every ${f.intervalText} without ${failing.join('; ')}; verdicts carry lower confidence.`.slice(0, 1024) };
  }
  return { type: ConditionType.RunawayWatched, status: 'True', reason: 'Watching', message: `Sampling ${working.join(', ')} every ${f.intervalText}.` };
}

/** Enough samples to judge, but none of the recent ones carries a retry share. */
function retryBlind(f: ConditionFacts): boolean {
  return !f.verdict.retryKnown && f.verdict.signature !== 'insufficient';
}

/**
 * Why the verdict cannot be told now, if it cannot: a source failing (named with its URL and
 * cause), no retry share, or no throughput. "No loop" needs all of them; missing is not health.
 */
function cannotTell(f: ConditionFacts): { reason: string; why: string } | undefined {
  if (f.failures.length) return { reason: 'SignalsFailing', why: `failing: ${f.failures.map((x) => `${x.source}: ${x.message}`).join('; ')}` };
  if (f.verdict.signature === 'insufficient') return undefined;
  if (!f.verdict.retryKnown) return { reason: 'RetrySignalsMissing', why: 'no retry share in the recent samples' };
  if (f.verdict.throughputKnown === false) return { reason: 'ThroughputMissing', why: 'no useful throughput (SQS deletes or worker successes) in the window' };
  return undefined;
}

function suspected(f: ConditionFacts): ConditionInput {
  const type = ConditionType.RunawaySuspected;
  const evidence = (f.runaway.evidence ?? []).slice(0, 4).join('; ');
  if (f.runaway.state !== 'Normal') {
    return { type, status: 'True', reason: 'FeedbackLoop', message: `Score ${f.runaway.score ?? 0}: ${evidence}`.slice(0, 1024) };
  }
  const unknown = cannotTell(f);
  if (unknown) return { type, status: 'Unknown', reason: unknown.reason, message: `Cannot tell (${unknown.why}).${evidence ? ` ${evidence}` : ''}`.slice(0, 1024) };
  if (f.verdict.state === 'downstream') {
    // The evidence's own first line says "downstream problem" too: the message says it once.
    const rest = (f.runaway.evidence ?? []).filter((e) => !e.startsWith('downstream problem')).slice(0, 4).join('; ');
    return { type, status: 'False', reason: 'DownstreamTrouble', message: `Retries past budget without added capacity: a downstream problem, not a loop.${rest ? ` ${rest}` : ''}`.slice(0, 1024) };
  }
  if (f.verdict.signature === 'insufficient') {
    return { type, status: 'False', reason: 'InsufficientSamples', message: 'Not enough samples in the window yet to judge.' };
  }
  return { type, status: 'False', reason: 'NoLoop', message: `No runaway signature (score ${f.runaway.score ?? 0}).` };
}

function engaged(f: ConditionFacts): ConditionInput {
  if (f.brake) {
    const reason = f.brake.releaseStep ? 'Releasing' : f.brake.action === 'Shed' ? 'Shedding' : 'Frozen';
    return { type: ConditionType.BrakeEngaged, status: 'True', reason, message: `${f.brake.action} since ${f.brake.engagedAt}: ${f.brake.reason}`.slice(0, 1024) };
  }
  if (f.runaway.state === 'Suspected' && f.notActingBecause) {
    return { type: ConditionType.BrakeEngaged, status: 'False', reason: f.notActingBecause === 'paused' ? 'Paused' : 'DryRun', message: `The brake would engage; the guard is ${f.notActingBecause}.` };
  }
  return { type: ConditionType.BrakeEngaged, status: 'False', reason: 'NotEngaged', message: 'The brake is off.' };
}
