// What an observer sees of a simulated fleet: the true per-interval counts, degraded the ways
// real signal sources degrade. Shared by every trace family, because it models the observer
// (CloudWatch, the worker scrape), not the fleet. Deterministic for a seed.
// - noise: measurement noise, independent per cell (scrape jitter, sampling windows);
// - missingShare: cells not observed (failed calls, scrapes that timed out), in
//   `missingColumns` or in every column but `t`;
// - resolution: CloudWatch's counters (`delivered`) at 60 s or 300 s periods: each sample
//   holds the latest complete period's mean per sample interval, one period late;
// - latePointAt: the CloudWatch datapoint of that sample arrives one sample late (empty, then
//   the next sample carries both);
// - counterResetAt: a worker pod restarts: its counters start again from zero, and that
//   sample's worker counts hold only the little counted since;
// - extraReceivesFrom: another consumer (a debugging tool, a second service) receives
//   messages it does not delete: SQS shows receives beyond deletes the workers never saw;
// - delivered: the counters the resolution and the late point apply to (default CloudWatch's
//   AWS/SQS ones); a fleet seen only through its workers' counters gets them there instead, as
//   when they are published to CloudWatch by an agent.
import type { Sample, SignalColumn } from '../../src/signals/sample.ts';

export interface Observation {
  seed: number;
  noise?: number;
  missingShare?: number;
  missingColumns?: readonly SignalColumn[];
  resolution?: 60 | 300;
  latePointAt?: number;
  counterResetAt?: number;
  extraReceivesFrom?: number;
  extraReceivesShare?: number;
  delivered?: readonly SignalColumn[];
}

const COUNTERS: readonly SignalColumn[] = ['sqs_sent', 'sqs_received', 'sqs_deleted', 'dlq_in', 'worker_attempts', 'worker_retries', 'worker_successes', 'worker_failures'];
const CLOUDWATCH_SQS: readonly SignalColumn[] = ['sqs_sent', 'sqs_received', 'sqs_deleted'];
const WORKER: readonly SignalColumn[] = ['worker_attempts', 'worker_retries', 'worker_successes', 'worker_failures'];
/** The share of a pod's interval counted after it restarted. */
const AFTER_RESET_SHARE = 0.1;

/** xorshift32: the observer's own stream, so observing does not change the simulation. */
function stream(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** The samples as the observer sees them; the input is not modified. */
export function observe(truth: readonly Sample[], o: Observation | undefined): Sample[] {
  if (!o) return truth.map((s) => ({ ...s }));
  const r = stream(o.seed);
  let out = truth.map((s) => ({ ...s }));
  if (o.extraReceivesFrom !== undefined) out = withExtraReceives(out, o.extraReceivesFrom, o.extraReceivesShare ?? 0.3);
  if (o.noise) out = out.map((s) => noisy(s, o.noise!, r));
  const delivered = o.delivered ?? CLOUDWATCH_SQS;
  if (o.resolution) out = atResolution(out, o.resolution, delivered);
  if (o.counterResetAt !== undefined) out = withReset(out, o.counterResetAt);
  if (o.latePointAt !== undefined) out = withLatePoint(out, o.latePointAt, delivered);
  if (o.missingShare) out = withGaps(out, o.missingShare, o.missingColumns, r);
  return out;
}

function noisy(s: Sample, noise: number, r: () => number): Sample {
  const n: Sample = { ...s };
  for (const c of COUNTERS) if (n[c] !== undefined) n[c] = Math.max(0, Math.round(n[c] * (1 + noise * normal(r))));
  return n;
}

function withExtraReceives(xs: Sample[], from: number, share: number): Sample[] {
  return xs.map((s) => (s.t >= from && s.sqs_received !== undefined ? { ...s, sqs_received: Math.round(s.sqs_received * (1 + share)) } : s));
}

/** Each sample carries the mean per-sample count of the latest complete period, one period late. */
export function atResolution(xs: Sample[], period: number, delivered: readonly SignalColumn[] = CLOUDWATCH_SQS): Sample[] {
  return xs.map((s) => {
    const end = Math.floor(s.t / period) * period;
    const inPeriod = xs.filter((x) => x.t > end - period && x.t <= end);
    const n: Sample = { ...s };
    for (const c of delivered) {
      const vs = inPeriod.map((x) => x[c]).filter((v): v is number => v !== undefined);
      if (vs.length) n[c] = Math.round(vs.reduce((a, b) => a + b, 0) / vs.length);
      else delete n[c];
    }
    return n;
  });
}

function withReset(xs: Sample[], at: number): Sample[] {
  return xs.map((s) => {
    if (s.t !== at) return s;
    const n: Sample = { ...s };
    for (const c of WORKER) if (n[c] !== undefined) n[c] = Math.round(n[c] * AFTER_RESET_SHARE);
    return n;
  });
}

function withLatePoint(xs: Sample[], at: number, delivered: readonly SignalColumn[]): Sample[] {
  const i = xs.findIndex((s) => s.t === at);
  if (i < 0 || i + 1 >= xs.length) return xs;
  const late = { ...xs[i]! };
  const next = { ...xs[i + 1]! };
  for (const c of delivered) {
    if (late[c] !== undefined && next[c] !== undefined) next[c] = next[c] + late[c];
    delete late[c];
  }
  return [...xs.slice(0, i), late, next, ...xs.slice(i + 2)];
}

function withGaps(xs: Sample[], share: number, columns: readonly SignalColumn[] | undefined, r: () => number): Sample[] {
  return xs.map((s) => {
    const n: Sample = { ...s };
    for (const c of Object.keys(s) as (keyof Sample)[]) {
      if (c === 't' || (columns && !columns.includes(c))) continue;
      if (r() < share) delete n[c];
    }
    return n;
  });
}
