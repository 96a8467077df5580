// What a price source gives the generator: region → instance type → USD per hour (decimal
// string, on-demand, Linux, shared tenancy), and how to name where it came from.

export type Table = Record<string, Record<string, string>>;

export interface Wanted {
  regions: readonly string[];
  /** Instance type prefixes: "m5." keeps m5.large but not m5a.large. */
  families: readonly string[];
}

export interface Loaded {
  table: Table;
  /** The date of the data (YYYY-MM-DD): status.cost.priceTable shows it. */
  version: string;
  /** The data, its package and version, for the table header and docs. */
  source: string;
}

export interface PriceSource {
  load(wanted: Wanted): Promise<Loaded>;
}
