// Pure: the live USD/h estimate and the worst case at the ceilings, from observed capacity and
// prices. Invariants: an amount is never guessed (a type without a price is reported in
// `unpriced` and left out of both sums, so the sums are lower bounds then); a per-target price
// override wins over the table, "0" included; all money is integer micro-dollars.
import type { PriceBook } from '../../cloud/pricing/prices.ts';

export interface PricedTarget {
  /** Status key: "asg/<name>" or "NodePool/<name>". */
  target: string;
  /** The spec ceiling in instances (for the worst case); undefined when the spec sets none (a NodePool without limits.nodes). */
  ceiling?: number;
  /** The region the instances run in, when the target says (NodeClaims' region label); else the guard's. */
  region?: string;
  /** Instances running now, by instance type. */
  running: Readonly<Record<string, number>>;
  /** Every type the target may launch (mixed-instances overrides, else the launch template's type, plus those running). */
  mayLaunch: readonly string[];
  /** Micro-dollars per instance-hour from spec, replacing the table for this target. */
  override?: number;
}

export interface TargetCost {
  target: string;
  /** Micro-dollars per hour of the instances running now (priced ones only). */
  hourly: number;
  /** Price of the most expensive type the target may launch; undefined when any is unpriced or none is known. */
  worstUnit?: number;
  /** Types without a price; "unknown" when no instance type is known at all. */
  unpriced: string[];
}

export interface CostEstimate {
  hourly: number;
  /** Σ ceiling × worstUnit over the targets whose worstUnit is known. */
  worstCase: number;
  targets: TargetCost[];
  /** "asg/x: type" entries, one per unpriced type, in target order. */
  unpriced: string[];
  /** Targets left out of the worst case because the spec sets no instance ceiling for them. */
  uncounted: string[];
}

/** The type name reported when a target gives no instance type at all. */
export const NO_TYPE = 'no instance type known';

function unitPrice(t: PricedTarget, type: string, region: string, prices: PriceBook): number | undefined {
  return t.override ?? prices.hourly(t.region ?? region, type);
}

export function costOf(t: PricedTarget, region: string, prices: PriceBook): TargetCost {
  const unpriced = new Set<string>();
  let hourly = 0;
  for (const [type, count] of Object.entries(t.running)) {
    const price = unitPrice(t, type, region, prices);
    if (price === undefined) unpriced.add(type);
    else hourly += price * count;
  }
  const types = t.override !== undefined ? ['*'] : t.mayLaunch;
  const units = types.map((type) => unitPrice(t, type, region, prices));
  for (const [i, u] of units.entries()) if (u === undefined) unpriced.add(types[i]!);
  if (!types.length) unpriced.add(NO_TYPE);
  const known = units.filter((u): u is number => u !== undefined);
  const complete = types.length > 0 && known.length === units.length;
  return { target: t.target, hourly, ...(complete ? { worstUnit: Math.max(...known) } : {}), unpriced: [...unpriced].sort() };
}

export function estimateCost(targets: readonly PricedTarget[], region: string, prices: PriceBook): CostEstimate {
  const costs = targets.map((t) => costOf(t, region, prices));
  let hourly = 0;
  let worstCase = 0;
  for (const [i, c] of costs.entries()) {
    hourly += c.hourly;
    const ceiling = targets[i]!.ceiling;
    if (c.worstUnit !== undefined && ceiling !== undefined) worstCase += c.worstUnit * ceiling;
  }
  const uncounted = targets.filter((t) => t.ceiling === undefined).map((t) => t.target);
  return { hourly, worstCase, targets: costs, unpriced: costs.flatMap((c) => c.unpriced.map((type) => `${c.target}: ${type}`)), uncounted };
}
