// Pure: the MaxSize caps that keep the worst case of a guard's groups at or under
// spec.cost.hourlyCeiling. Each group is priced at the most expensive type it may launch, so
// Σ cap × unit ≤ ceiling holds whatever mix the groups actually launch.
//
// Allocation (docs/cost.md): first every group keeps what it runs now (DesiredCapacity, at most
// its spec ceiling); if that alone costs more than the ceiling, those counts are scaled down
// proportionally. The dollars left are shared in proportion to each group's remaining room
// (spec ceiling − kept) × unit, rounded down, and the last whole instances that still fit go to
// the groups in name order. Invariants: a cap never exceeds the spec ceiling; Σ cap × unit ≤
// ceiling; a group that costs nothing (price "0") is never capped; no cap at all when the spec
// ceilings already fit under the hourly ceiling.

export interface CappableGroup {
  /** "asg/<name>". */
  target: string;
  /** The spec ceiling (maxSize). */
  ceiling: number;
  desired: number;
  /** Micro-dollars per instance-hour of the most expensive type the group may launch. */
  unit: number;
}

export interface Cap {
  target: string;
  /** The MaxSize cap, below the spec ceiling. */
  value: number;
}

const big = BigInt;

function scaleDown(groups: readonly CappableGroup[], kept: number[], budget: bigint): number[] {
  const cost = groups.reduce((sum, g, i) => sum + big(kept[i]!) * big(g.unit), 0n);
  if (cost <= budget) return kept;
  return kept.map((k) => Number((big(k) * budget) / cost));
}

function shareRoom(groups: readonly CappableGroup[], kept: number[], left: bigint): number[] {
  const room = groups.map((g, i) => big(g.ceiling - kept[i]!) * big(g.unit));
  const total = room.reduce((a, b) => a + b, 0n);
  if (total === 0n) return kept;
  return kept.map((k, i) => k + Number((room[i]! * left) / total / big(groups[i]!.unit)));
}

function fillGreedy(groups: readonly CappableGroup[], caps: number[], budget: bigint): number[] {
  let left = budget - groups.reduce((sum, g, i) => sum + big(caps[i]!) * big(g.unit), 0n);
  const order = groups.map((g, i) => i).sort((a, b) => groups[a]!.target.localeCompare(groups[b]!.target));
  const out = [...caps];
  for (const i of order) {
    const g = groups[i]!;
    const more = Math.min(g.ceiling - out[i]!, Number(left / big(g.unit)));
    out[i] = out[i]! + more;
    left -= big(more) * big(g.unit);
  }
  return out;
}

/** Caps for the priced, non-free groups; an empty list when the spec ceilings fit. */
export function allocateCaps(all: readonly CappableGroup[], hourlyCeiling: number): Cap[] {
  const groups = all.filter((g) => g.unit > 0 && g.ceiling > 0);
  const budget = big(hourlyCeiling);
  const worst = groups.reduce((sum, g) => sum + big(g.ceiling) * big(g.unit), 0n);
  if (worst <= budget) return [];
  const kept = scaleDown(groups, groups.map((g) => Math.min(g.desired, g.ceiling)), budget);
  const keptCost = groups.reduce((sum, g, i) => sum + big(kept[i]!) * big(g.unit), 0n);
  const caps = fillGreedy(groups, shareRoom(groups, kept, budget - keptCost), budget);
  return groups.flatMap((g, i) => (caps[i]! < g.ceiling ? [{ target: g.target, value: caps[i]! }] : []));
}
