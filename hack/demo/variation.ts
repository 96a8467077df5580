// What a recorded scenario changes in the demo's world to play a BENIGN situation in which some
// legs of the loop's signature hold for a good reason (the hard negatives of the recorded trace
// family): more traffic, heavier jobs, a throttling or briefly failing downstream, a scheduled
// action, an instance refresh. Minutes are simulated minutes. Every field is optional; with
// none, the run is the demo's own.
import type { DownstreamModel } from './downstream.ts';

/** Calls the downstream answers with an error status, as a share of the calls it gets. */
export interface DownstreamErrors {
  share: number;
  status: number;
}

export interface Variation {
  /** The scenario's downstream differs from the demo's (e.g. room for a crowd). */
  downstream?: Partial<DownstreamModel>;
  /** New messages in minute t (the demo: WORKLOAD_MODEL.messagesPerTick every minute). */
  messagesAt?(t: number): number;
  /** How much more each job asks of the downstream in minute t: its latency × this (1: the demo's jobs). */
  jobWeightAt?(t: number): number;
  /** The calls the downstream fails fast in minute t (none: it answers every call). */
  errorsAt?(t: number): DownstreamErrors | undefined;
  /** A scheduled action: from minute `at` the group's minimum (and desired) capacity is `min`, until minute `until`. */
  scheduled?: { at: number; until: number; min: number };
  /** An instance refresh at minute `at`: `count` of the oldest instances replaced by new ones that fail `failShare` of their calls for their first `coldMinutes`. */
  refresh?: { at: number; count: number; coldMinutes: number; failShare: number };
}

/** `value` for `minutes` minutes from minute `from`, else `otherwise`. */
export function during<T>(from: number, minutes: number, value: T, otherwise: T): (t: number) => T {
  return (t) => (t >= from && t < from + minutes ? value : otherwise);
}

/** From `start` at minute `from`, linearly to `end` over `minutes`, then `end`. */
export function ramp(from: number, minutes: number, start: number, end: number): (t: number) => number {
  return (t) => start + (end - start) * Math.min(1, Math.max(0, (t - from) / minutes));
}

/**
 * Picks `share` of the calls, spread evenly and the same every run (no dice): a call is picked
 * each time the shares owed since the last pick add up to one.
 */
export class EvenShare {
  #owed = 0;

  pick(share: number): boolean {
    this.#owed += share;
    if (this.#owed < 1) return false;
    this.#owed -= 1;
    return true;
  }
}
