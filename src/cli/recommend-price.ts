// The price recommend quotes the worst case at: a price the user gives wins; else the shipped
// table's price of the group's instance type (a flag, or what `costguard export` read from
// DescribeAutoScalingGroups or the launch template). For a group of several types the dearest
// one, because the worst case is what the ceiling allows at most. No price is ever guessed.
import type { PriceBook } from '../cloud/pricing/prices.ts';
import { parseMicros } from '../cloud/pricing/money.ts';

export interface PriceInput {
  /** USD per instance-hour as the user typed it ("0.096"). */
  readonly pricePerHour?: string;
  readonly instanceTypes: readonly string[];
  readonly region?: string;
}

export type Price = { micros: number; source: string } | { micros: undefined; why: string };

export function resolvePrice(input: PriceInput, book: PriceBook): Price {
  if (input.pricePerHour !== undefined) return { micros: parseMicros(input.pricePerHour), source: '--price-per-hour' };
  if (input.instanceTypes.length === 0) return { micros: undefined, why: 'no instance type known: pass --instance-type or --price-per-hour' };
  if (!input.region) return { micros: undefined, why: 'no region known: pass --region' };
  const priced = input.instanceTypes.map((type) => ({ type, micros: book.hourly(input.region!, type) }));
  const missing = priced.filter((p) => p.micros === undefined).map((p) => p.type);
  if (missing.length) return { micros: undefined, why: `the price table ${book.version} has no ${input.region} price for ${missing.join(', ')}: pass --price-per-hour` };
  const dearest = priced.reduce((a, b) => (b.micros! > a.micros! ? b : a));
  return { micros: dearest.micros!, source: `${dearest.type}, price table ${book.version}, ${input.region}` };
}
