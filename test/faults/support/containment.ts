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
  /** The highest DesiredCapacity or MaxSize sampled once the hold was on the group. */
  maxAfterHold: number;
  samples: number;
  /** Samples taken once the hold was on the group (the window the hold is checked over). */
  samplesAfterHold: number;
  overCeiling: Sample[];
  overHold: Sample[];
}

/** `hold` and `holdAppliedAt` are undefined until the brake engaged and reached the group. */
export function containmentOf(samples: readonly Sample[], ceiling: number, hold?: number, holdAppliedAt?: number): Containment {
  const afterHold = hold === undefined || holdAppliedAt === undefined ? [] : samples.filter((s) => s.at >= holdAppliedAt);
  return {
    maxDesired: Math.max(0, ...samples.map((s) => s.desired)),
    maxAfterHold: Math.max(0, ...afterHold.map((s) => Math.max(s.desired, s.maxSize))),
    samples: samples.length,
    samplesAfterHold: afterHold.length,
    overCeiling: samples.filter((s) => s.desired > ceiling || s.maxSize > ceiling),
    overHold: afterHold.filter((s) => s.desired > hold! || s.maxSize > hold!),
  };
}
