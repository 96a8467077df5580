// One measured figure of `make bench`, with the baseline it was measured against in the same
// run. bench/results.json is a list of these; bench/RESULTS.md is rendered from the same list.

export interface Baseline {
  /** What the figure is compared with, e.g. "bare p-limit + opossum" or "naive detector". */
  readonly name: string;
  readonly value: number;
}

export interface Figure {
  /** Stable machine key, e.g. "runtime.rss_mib_1000_guards". */
  readonly id: string;
  /** Which benchmark produced it, e.g. "runtime", "asg-calls", "demo". */
  readonly bench: string;
  /** Human description, e.g. "RSS with 1,000 guards cached". */
  readonly name: string;
  readonly value: number;
  /** Unit of value and baseline.value: one of UNITS in bench/results.ts ("s", "ms", "MiB", "calls", "count", "%", "ratio", "USD/h", …). */
  readonly unit: string;
  /** The side-by-side comparison from the same run; absent only when none exists (say why in note). */
  readonly baseline?: Baseline;
  /** A target the project set for this figure, when there is one. */
  readonly target?: string;
  readonly note?: string;
  /** When and where it was measured ("2026-11-30, 2 cores, Node 24.21.0"); bench/main.ts stamps it. */
  readonly run?: string;
}
