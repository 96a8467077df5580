// The ground truth of a runaway trace: its onset is the first sample at which capacity added
// in the last `lookback` seconds is in service while the (noise-free) retry share is past the
// budget. Before that moment the fleet is slow or retrying, but the feedback loop has not
// closed: added capacity is not yet paying for retries. Detection delay is measured from here.
import type { Sample } from '../../src/signals/sample.ts';

export function onsetOf(samples: readonly Sample[], trueRetryShare: readonly number[], retryBudget: number, lookback = 600): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i]!;
    const earlier = samples.filter((x) => x.t < s.t && x.t >= s.t - lookback).map((x) => x.in_service ?? Infinity);
    const grew = (s.in_service ?? 0) > Math.min(...earlier);
    if (grew && (trueRetryShare[i] ?? 0) > retryBudget) return s.t;
  }
  return undefined;
}
