// The ground truth of a runaway trace, from its cause: onset is the first moment capacity was
// added after the downstream degraded. The generator knows when it degraded (the scenario says
// so); the detector's predicates play no part. Before onset the fleet may be slow or failing,
// but the loop has not closed: nothing has been added that will pay for retries.

/** The first scale-out at or after `degradedAt`, or undefined if the autoscaler never added capacity. */
export function onsetFromCause(scaleOuts: readonly number[], degradedAt: number): number | undefined {
  return scaleOuts.filter((t) => t >= degradedAt).sort((a, b) => a - b)[0];
}

/**
 * The sample that first shows the onset: the first sample time at or after it (samples count
 * the interval that ends at their `t`). Undefined when the trace ends first.
 */
export function onsetSample(sampleTimes: readonly number[], onset: number): number | undefined {
  return sampleTimes.find((t) => t >= onset);
}

/** Scale-out times read from a desired-capacity series: every sample where desired rose. */
export function scaleOutsOf(samples: readonly { t: number; desired?: number }[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!.desired, samples[i]!.desired];
    if (a !== undefined && b !== undefined && b > a) out.push(samples[i]!.t);
  }
  return out;
}
