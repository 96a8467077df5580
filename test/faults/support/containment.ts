// Pure: what the capacity samples of a fault say about containment. Kept apart from the
// scenario so a unit test can show that a breach would be caught.
export interface Sample {
  at: number;
  desired: number;
  maxSize: number;
}

export interface Containment {
  /** The highest DesiredCapacity sampled at all. */
  maxDesired: number;
  /** The highest DesiredCapacity or MaxSize sampled once the freeze was on the group. */
  maxAfterHold: number;
  samples: number;
  /** Samples taken once the freeze was on the group (the window it is checked over). */
  samplesAfterHold: number;
  overCeiling: Sample[];
  /** Samples above the frozen MaxSize once the freeze was on the group. */
  overHold: Sample[];
  /**
   * Consecutive samples where DesiredCapacity fell. The driver (target tracking, played) never
   * scales in while retries climb, so a fall means AWS took instances back: a MaxSize written
   * below the capacity running at that moment. A freeze must never do that.
   */
  scaleIns: [Sample, Sample][];
}

/** `frozen` and `frozenAt`: the MaxSize the freeze landed at and when; undefined until then. */
export function containmentOf(samples: readonly Sample[], ceiling: number, frozen?: number, frozenAt?: number): Containment {
  const afterHold = frozen === undefined || frozenAt === undefined ? [] : samples.filter((s) => s.at >= frozenAt);
  const scaleIns = samples.slice(1).flatMap((s, i): [Sample, Sample][] => (s.desired < samples[i]!.desired ? [[samples[i]!, s]] : []));
  return {
    maxDesired: Math.max(0, ...samples.map((s) => s.desired)),
    maxAfterHold: Math.max(0, ...afterHold.map((s) => Math.max(s.desired, s.maxSize))),
    samples: samples.length,
    samplesAfterHold: afterHold.length,
    overCeiling: samples.filter((s) => s.desired > ceiling || s.maxSize > ceiling),
    overHold: afterHold.filter((s) => s.desired > frozen! || s.maxSize > frozen!),
    scaleIns,
  };
}
