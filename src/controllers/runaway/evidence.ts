// Evidence: the numbers behind a verdict, one fact per line, in the words an on-call engineer
// checks them with ("capacity 4→19 (+375 %) in 30m", "receives/deletes 1.02→1.71",
// "deletes per instance −62 %"). Pure formatting of the same window the detector assessed.
import { formatDuration } from '../../runtime/duration.ts';
import type { Sample } from '../../signals/sample.ts';
import { caveatLines, gapLine } from './caveats.ts';
import { missingSignals } from './coverage.ts';
import { THRESHOLDS, type Assessment } from './detect.ts';

/** Evidence lines for `a`, computed over the window of `samples` that ends at `now`. */
export function evidenceOf(samples: readonly Sample[], now: number, a: Assessment, windowSeconds: number): string[] {
  const window = samples.filter((s) => s.t <= now && s.t > now - windowSeconds);
  const f = a.figures;
  const split = f.growthSeconds !== undefined ? now - f.growthSeconds : window[0]?.t;
  const base = window.filter((s) => split !== undefined && s.t <= split);
  const recent = window.slice(-THRESHOLDS.recent);
  const lines: string[] = [];
  if (a.signature === 'insufficient') lines.push(`${window.length} sample${window.length === 1 ? '' : 's'} in the window; the detector needs more before it judges`);
  if (f.capacityFrom !== undefined && f.capacityTo !== undefined && f.growthSeconds !== undefined) {
    lines.push(`capacity ${fmt(f.capacityFrom)}→${fmt(f.capacityTo)} (${pct(f.capacityTo / f.capacityFrom - 1)}) in ${formatDuration(Math.round(f.growthSeconds) * 1000)}`);
  }
  lines.push(...ratioLines(base, recent));
  lines.push(...perCapacityLines(window, a));
  if (f.breakerOpen !== undefined && f.breakerOpen > 0) lines.push(`breaker open on ${Math.round(f.breakerOpen * 100)} % of workers`);
  lines.push(...caveatLines(a));
  const gaps = gapLine(window, a);
  if (gaps) lines.push(gaps);
  const missing = missingSignals(a.coverage);
  if (missing.length) lines.push(`not observed: ${missing.join(', ')} (confidence ${Math.round(a.confidence * 100)} %)`);
  return lines;
}

function perCapacityLines(window: readonly Sample[], a: Assessment): string[] {
  const { perCapacityFrom: from, perCapacityTo: to } = a.figures;
  if (!from || to === undefined) return [];
  const what = window.some((s) => s.sqs_deleted !== undefined) ? 'deletes' : 'successes';
  const unit = a.coverage.capacity ? 'instance' : 'unit of capacity';
  return [`${what} per ${unit} ${pct(to / from - 1)}`];
}

function ratioLines(base: readonly Sample[], recent: readonly Sample[]): string[] {
  return [...receivesLine(base, recent), ...workerLines(base, recent), ...dlqLine(base, recent)];
}

/** Receives over deletes, summed only over samples that carry both (a gap in either is no retry). */
function receivesLine(base: readonly Sample[], recent: readonly Sample[]): string[] {
  const both = (xs: readonly Sample[]) => xs.filter((s) => s.sqs_received !== undefined && s.sqs_deleted !== undefined);
  const rd = (xs: readonly Sample[]) => ratio(sum(both(xs), 'sqs_received'), sum(both(xs), 'sqs_deleted'));
  const [from, to] = [rd(base), rd(recent)];
  return from !== undefined && to !== undefined ? [`receives/deletes ${from.toFixed(2)}→${to.toFixed(2)}`] : [];
}

function workerLines(base: readonly Sample[], recent: readonly Sample[]): string[] {
  const lines: string[] = [];
  const per = (k: 'worker_retries' | 'worker_failures') => (xs: readonly Sample[]) => {
    const both = xs.filter((s) => s[k] !== undefined && s.worker_attempts !== undefined);
    return ratio(sum(both, k), sum(both, 'worker_attempts'));
  };
  const [raFrom, raTo] = [per('worker_retries')(base), per('worker_retries')(recent)];
  if (raFrom !== undefined && raTo !== undefined) lines.push(`worker retries/attempts ${Math.round(raFrom * 100)} %→${Math.round(raTo * 100)} %`);
  const [faFrom, faTo] = [per('worker_failures')(base), per('worker_failures')(recent)];
  if (faFrom !== undefined && faTo !== undefined && (faFrom > 0 || faTo > 0)) lines.push(`worker failures/attempts ${Math.round(faFrom * 100)} %→${Math.round(faTo * 100)} %`);
  return lines;
}

function dlqLine(base: readonly Sample[], recent: readonly Sample[]): string[] {
  const [from, to] = [avg(base, 'dlq_in'), avg(recent, 'dlq_in')];
  return from !== undefined && to !== undefined && (from > 0 || to > 0) ? [`DLQ inflow ${fmt(from)}→${fmt(to)} per sample`] : [];
}

function sum(xs: readonly Sample[], k: keyof Sample): number | undefined {
  const vs = xs.map((s) => s[k]).filter((v): v is number => v !== undefined);
  return vs.length ? vs.reduce((a, b) => a + b, 0) : undefined;
}

function avg(xs: readonly Sample[], k: keyof Sample): number | undefined {
  const vs = xs.map((s) => s[k]).filter((v): v is number => v !== undefined);
  return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : undefined;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** "+375 %" / "−62 %" (a real minus sign, as printed in the evidence). */
export function pct(share: number): string {
  const n = Math.round(share * 100);
  return n < 0 ? `−${-n} %` : `+${n} %`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
