// The two baselines CostGuard's detector is measured against, replayed on the same samples:
// - the naive rule a dashboard alert would use: capacity doubled within the window;
// - the alert a user would write in PromQL: retry share above the budget over 5 minutes AND
//   capacity above its value 10 minutes earlier, `for: 1m`:
//     sum(increase(retries[5m])) / sum(increase(attempts[5m])) > 0.10
//       and desired_capacity > desired_capacity offset 10m      (for: 1m)
//   The retry share is what such a user has: the workers' retries/attempts when scraped, else
//   SQS's (receives − deletes)/receives from CloudWatch.
import { capacityOf } from '../src/controllers/runaway/series.ts';
import type { Sample } from '../src/signals/sample.ts';

export type FirstAlert = (samples: readonly Sample[]) => number | undefined;

const PROMQL_RANGE_SECONDS = 300;
const PROMQL_OFFSET_SECONDS = 600;
const PROMQL_FOR_SECONDS = 60;

export function naiveDoubling(windowSeconds: number): FirstAlert {
  return (samples) => {
    for (const s of samples) {
      const cap = capacityOf(s);
      if (cap === undefined) continue;
      const low = Math.min(...samples.filter((x) => x.t <= s.t && x.t > s.t - windowSeconds).map((x) => capacityOf(x) ?? Infinity));
      if (cap >= 2 * low) return s.t;
    }
    return undefined;
  };
}

function total(xs: readonly Sample[], k: keyof Sample): number | undefined {
  const vs = xs.map((s) => s[k]).filter((v): v is number => v !== undefined);
  return vs.length ? vs.reduce((a, b) => a + b, 0) : undefined;
}

/** The retry share a PromQL user computes over the range: workers if scraped, else SQS. */
export function promRetryShare(range: readonly Sample[]): number | undefined {
  const [retries, attempts] = [total(range, 'worker_retries'), total(range, 'worker_attempts')];
  if (retries !== undefined && attempts) return retries / attempts;
  const [received, deleted] = [total(range, 'sqs_received'), total(range, 'sqs_deleted')];
  if (received && deleted !== undefined) return Math.max(0, received - deleted) / received;
  return undefined;
}

/** Capacity at or just before `t` (PromQL's lookback picks the latest sample). */
function capacityAt(samples: readonly Sample[], t: number): number | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.t <= t && capacityOf(s) !== undefined) return capacityOf(s);
  }
  return undefined;
}

export function promqlRule(budgetShare: number): FirstAlert {
  return (samples) => {
    let pendingSince: number | undefined;
    for (const s of samples) {
      const range = samples.filter((x) => x.t <= s.t && x.t > s.t - PROMQL_RANGE_SECONDS);
      const share = promRetryShare(range);
      const [now, before] = [capacityAt(samples, s.t), capacityAt(samples, s.t - PROMQL_OFFSET_SECONDS)];
      const firing = share !== undefined && share > budgetShare && now !== undefined && before !== undefined && now > before;
      if (!firing) pendingSince = undefined;
      else if (pendingSince === undefined) pendingSince = s.t;
      if (pendingSince !== undefined && s.t - pendingSince >= PROMQL_FOR_SECONDS) return s.t;
    }
    return undefined;
  };
}
