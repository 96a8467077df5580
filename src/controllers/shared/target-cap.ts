// How many targets one guard acts on. Every target costs status entries in several lists
// (status.scalingGroups, the brake's saved originals, up to three holds), and the API server
// refuses a status whose lists exceed their maxItems: past that, every status patch of the
// guard would fail after the AWS writes had already happened. So a guard acts on at most
// MAX_TARGETS targets, decided before anything is written: its workloads and NodePools (named
// one by one, at most 70) first, then Auto Scaling groups by name up to the rest; the others
// are left alone and reported (CeilingsEnforced=False, reason TooManyTargets).

/** The most targets (groups + workloads + NodePools) one guard acts on; the brake's saved list holds as many. */
export const MAX_TARGETS = 200;

/** Splits groups (sorted by name) into those within the cap and those beyond it. */
export function capGroups<T>(sortedByName: readonly T[], otherTargets: number): { kept: T[]; overflow: T[] } {
  const room = Math.max(0, MAX_TARGETS - otherTargets);
  return { kept: sortedByName.slice(0, room), overflow: sortedByName.slice(room) };
}
