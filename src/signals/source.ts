// Signal sources: one interface for everything the runaway detector samples. A source returns
// the columns it can see for the interval ending now; a source that fails is reported by name
// and the sample goes on without its columns (lower confidence), never a crash.
import type { Sample, SignalColumn } from './sample.ts';

export type SignalValues = Partial<Record<SignalColumn, number>>;

export interface SampleContext {
  nowMs: number;
  /** The sampling interval: counters are reported per interval of this many seconds. */
  intervalSeconds: number;
  signal?: AbortSignal;
}

export interface SignalSource {
  /** Short and stable, shown in status when the source fails: "sqs", "cloudwatch", "workers". */
  readonly name: string;
  /** The columns observed for the interval ending at ctx.nowMs. May reject; never partially applies. */
  read(ctx: SampleContext): Promise<SignalValues>;
}

export interface SourceFailure {
  source: string;
  message: string;
}

export interface TakenSample {
  sample: Sample;
  failures: SourceFailure[];
}

/** Reads every source concurrently and merges what answered into one sample at `t` seconds. */
export async function takeSample(sources: readonly SignalSource[], ctx: SampleContext, t: number): Promise<TakenSample> {
  const settled = await Promise.allSettled(sources.map((s) => s.read(ctx)));
  const sample: Sample = { t };
  const failures: SourceFailure[] = [];
  settled.forEach((r, i) => {
    const name = sources[i]!.name;
    if (r.status === 'rejected') failures.push({ source: name, message: messageOf(r.reason) });
    else for (const [k, v] of Object.entries(r.value)) if (v !== undefined && Number.isFinite(v)) (sample as Record<string, number>)[k] = v;
  });
  return { sample, failures };
}

/** The error's first line with its cause ("fetch failed: connect ECONNREFUSED 10.0.0.7:9090"): fetch hides the why there. */
export function messageOf(err: unknown): string {
  const first = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const cause = err instanceof Error && err.cause !== undefined ? first(err.cause) : '';
  const text = cause && !first(err).includes(cause) ? `${first(err)}: ${cause}` : first(err);
  return text.slice(0, 300);
}

/** A counter's increase since the last reading; a reset (restart) counts from zero. */
export function counterDelta(previous: number | undefined, current: number): number | undefined {
  if (previous === undefined) return undefined;
  return current >= previous ? current - previous : current;
}
