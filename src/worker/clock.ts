// The worker library keeps its own tiny clock seam so that it depends on nothing else in
// this repository: it is a separate product with a small dependency set. The shape matches
// the operator's clock, so the same fake clock drives both in tests.

/** An opaque handle returned by `WorkerClock.setTimeout`. */
export type WorkerTimer = object;

export interface WorkerClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): WorkerTimer;
  clearTimeout(handle: WorkerTimer): void;
}

/** Real time; timers are unref'd so the library never keeps a process alive on its own. */
export const realClock: WorkerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
