// What the detector could not see or could not tell, in words, for the evidence: gaps in the
// window, sources that disagree, and why a window with some of the loop's legs is not (yet)
// called a loop. Pure formatting of an assessment; decisions live in detect.ts.
import { SIGNAL_COLUMNS, type Sample } from '../../signals/sample.ts';
import { BASE_CONFIRMATIONS, type Assessment, type WindowFigures } from './detect.ts';
import { addedCapacityWasted, type Legs, lessWorkMoreRetries, outgrewLoad, retriesPastBudget } from './legs.ts';
import type { SourceReading } from './shares.ts';

const SOURCE_NAMES = { sqs: 'SQS (receives − deletes)/receives', workers: 'worker retries or failures/attempts' } as const;

/** "gaps: sqs_deleted missing in 9 of 60 samples, …" for every observed column with empty cells. */
export function gapLine(window: readonly Sample[], a: Assessment): string | undefined {
  const gaps = SIGNAL_COLUMNS.flatMap((c) => {
    const missing = window.filter((s) => s[c] === undefined).length;
    return missing > 0 && missing < window.length ? [`${c} missing in ${missing} of ${window.length} samples`] : [];
  });
  if (!gaps.length) return undefined;
  return `gaps: ${gaps.join(', ')} (counted as unknown, never as retries or health; confidence ${Math.round(a.confidence * 100)} %)`;
}

function share(r: SourceReading): string {
  return `${SOURCE_NAMES[r.source]} ${Math.round(r.share * 100)} % (bounds ${Math.round(Math.max(0, r.low) * 100)}–${Math.round(Math.min(1, r.high) * 100)} %, ${r.attempts} attempts)`;
}

/** Why the legs that hold do not make a loop, or that the retry sources disagree. */
export function caveatLines(a: Assessment): string[] {
  const l = a.legs;
  if (!l || a.signature === 'insufficient') return [];
  const lines: string[] = [];
  if (l.retries.state === 'disputed') {
    const wait = a.confirmations > BASE_CONFIRMATIONS ? `${a.confirmations} evaluations in a row needed` : 'the verdict does not rest on retries and does not wait on them';
    lines.push(`sources disagree: ${l.retries.sources.map(share).join(' vs ')}; confidence halved, ${wait}`);
  }
  if (l.grew) lines.push(...growthCaveats(l, a.figures));
  return lines;
}

function growthCaveats(l: Legs, f: WindowFigures): string[] {
  if (outgrewLoad(l) && l.noUsefulGain !== true) return [`capacity grew beyond the new demand (${ratio(f.capacityFrom, f.capacityTo)} vs new messages ${ratio(f.demandFrom, f.demandTo)}), ${addedReturns(l)}, and fewer messages finish than arrive: a loop started by load`];
  return retriesPastBudget(l) ? overBudgetCaveats(l, f) : withinBudgetCaveats(l, f);
}

/** Growth while retries are past the budget: why the other legs do not make it a loop, if they do not. */
function overBudgetCaveats(l: Legs, f: WindowFigures): string[] {
  if (l.retriesFalling) return ['the retry share is falling: a backlog of retries draining, not a loop feeding itself'];
  if (l.retriesStanding && !addedCapacityWasted(l)) return ['the retry share past the budget stood there before the growth and has not risen with it (a second consumer, a standing error rate?): not the growth feeding itself; no loop called on it'];
  if (l.noUsefulGain === false) return [`useful throughput rose with capacity (${ratio(f.throughputFrom, f.throughputTo)}): growth that does work, not a loop`];
  if (l.noUsefulGain === undefined) return ['useful throughput not observed: cannot tell whether added capacity does work; no loop called'];
  if (l.beyondDemand === undefined && !l.addedInService) return ['new messages not observed and the added capacity not in service yet: whether it adds useful work cannot be told; no loop called yet'];
  if (l.beyondDemand === false) return [`new messages grew as much as capacity (${ratio(f.demandFrom, f.demandTo)} vs ${ratio(f.capacityFrom, f.capacityTo)}): growth follows demand`];
  if (!l.answeredTrouble) return ['capacity rose before any trouble showed (a scheduled or manual change?): not counted as a loop'];
  return [];
}

/** What the added capacity returned, in the words of the leg that holds (legs.ts loadWasted). */
function addedReturns(l: Legs): string {
  if (l.addedIdle === true || l.addedShare === undefined) return 'the added capacity returns no more work';
  return `each added instance returns ${Math.round(Math.max(0, l.addedShare) * 100)} % of what each instance did before the growth (under half), with retries within the budget, as a downstream slowing under the added load does`;
}

function ratio(from: number | undefined, to: number | undefined): string {
  return from && to !== undefined ? `×${(to / from).toFixed(1)}` : '×?';
}

/**
 * Growth while retries are within the budget (or not observed): a loop only when the added
 * capacity, in service, returns no useful work or less than the smaller fleet did (returns.ts);
 * otherwise the evidence says what cannot be told yet.
 */
function withinBudgetCaveats(l: Legs, f: WindowFigures): string[] {
  const what = l.retries.state === 'unknown' ? 'no retry share observed' : 'retries within the budget so far';
  if (l.noUsefulGain === false) return [`useful throughput rose with capacity (${ratio(f.throughputFrom, f.throughputTo)}), ${what}: growth that does work so far; a loop that starts under higher load cannot be told from it until added capacity stops adding work`];
  if (l.noUsefulGain !== true) return [];
  if (l.addedIdle === true) return [`added capacity in service returned no more useful work than the smaller fleet did, with work waiting (${what}): all of it is waste`];
  if (lessWorkMoreRetries(l)) return [`useful work fell as added capacity came into service while retries climbed from their calm level (${what}): more capacity, less work`];
  return [`capacity up with no more useful work done, ${what}: not yet told from heavier jobs or a slower downstream being scaled for; no loop called`];
}
