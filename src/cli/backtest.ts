// `costguard backtest <history>`: the runaway detector over a recorded trace (or an export, or
// CloudWatch's get-metric-data JSON), exactly as the operator runs it live. Prints each
// verdict change with its evidence and ends with one machine-readable line:
// `backtest: verdict=<runaway|normal|unknown> first_alert_t=<seconds or ->`. Unknown (exit
// code 3) when the trace lacks what a verdict needs — capacity, a retry share, useful
// throughput, or enough samples in a window — so "normal" never stands for "not seen".
import { replay } from '../controllers/runaway/replay.ts';
import { ConfigError, parseDuration } from '../runtime/index.ts';
import type { Trace } from '../signals/trace.ts';
import { ACCEPTED_HISTORY } from './history-columns.ts';
import { readHistory } from './history.ts';
import { missingLegs, tooFewText } from './backtest-needs.ts';

export interface BacktestArgs {
  file: string;
  windowSeconds: number;
  retryBudgetPercent: number;
  /** 0: evaluate at every sample of the trace. */
  intervalSeconds: number;
}

export const BACKTEST_USAGE = [
  'backtest <history|-> [flags]   run the runaway detector over a trace CSV, an export or get-metric-data JSON ("-": standard input)',
  '  --window=<duration>      how far back the detector looks, 1m to 24h (default "30m", as spec.runaway.window)',
  '  --retry-budget=<0-100>   retries allowed, in whole percent of attempts (default 10, as spec.runaway.retryBudgetPercent)',
  '  --interval=<duration>    evaluate once per sampling interval, 1s up to the window, as the operator does (default: every row)',
  '  exit code 0: a verdict (runaway or normal); 2: bad input; 3: unknown, the trace lacks what a verdict needs',
].join('\n');

const FLAGS = ['window', 'retry-budget', 'interval'] as const;

/** Parses backtest's arguments; throws ConfigError with one line naming what is wrong. */
export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  const values = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      files.push(arg);
      continue;
    }
    const [name, inline] = splitFlag(arg.slice(2));
    if (!(FLAGS as readonly string[]).includes(name)) throw new ConfigError(`unknown flag --${name} for backtest (flags: ${FLAGS.map((f) => `--${f}`).join(', ')}); run costguard help`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    values.set(name, value);
  }
  if (files.length !== 1) throw new ConfigError(files.length ? `backtest takes one trace file, got ${files.length}` : 'backtest needs a trace file: costguard backtest <trace.csv>');
  // The bounds of spec.runaway: window 1m to 24h, a whole-number budget; an interval past the window never sees two samples.
  const windowSeconds = durationFlag('window', values.get('window') ?? '30m', { min: 60, max: MAX_WINDOW_S });
  return {
    file: files[0]!,
    windowSeconds,
    retryBudgetPercent: percentFlag(values.get('retry-budget') ?? '10'),
    intervalSeconds: values.has('interval') ? durationFlag('interval', values.get('interval')!, { min: 1, max: windowSeconds }) : 0,
  };
}

/** spec.runaway.window's maximum. */
const MAX_WINDOW_S = 24 * 3600;

function splitFlag(body: string): [string, string | undefined] {
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

function durationFlag(name: string, value: string, bounds: { min: number; max: number }): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    throw new ConfigError(`invalid --${name}="${value}": ${(err as Error).message}`);
  }
  if (ms < bounds.min * 1000) throw new ConfigError(`invalid --${name}="${value}": must be at least ${bounds.min}s`);
  if (ms > bounds.max * 1000) throw new ConfigError(`invalid --${name}="${value}": must be at most ${bounds.max}s${name === 'window' ? ' (24h, as spec.runaway.window)' : ' (the window)'}`);
  return ms / 1000;
}

function percentFlag(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 100) throw new ConfigError(`invalid --retry-budget="${value}": expected a whole percentage from 0 to 100 (as spec.runaway.retryBudgetPercent)`);
  return n;
}

/**
 * Reads the history file in any shape `costguard export`, the trace format or
 * `aws cloudwatch get-metric-data` gives (see history.ts); a bad file is a ConfigError
 * naming the file, the line and what is accepted.
 */
export function readTrace(file: string): Trace {
  return readHistory(file).trace;
}

/** The report backtest prints: verdict changes with evidence, then the summary line; `unknown` when no verdict could be made. */
export function backtestReport(trace: Trace, args: BacktestArgs): { lines: string[]; verdict: 'runaway' | 'normal' | 'unknown' } {
  const result = replay(trace.samples, {
    windowSeconds: args.windowSeconds,
    retryBudgetPercent: args.retryBudgetPercent,
    intervalSeconds: args.intervalSeconds,
    evaluateEverySeconds: args.intervalSeconds,
  });
  const lines: string[] = [];
  for (const c of result.changes) {
    lines.push(`t=${c.t} ${c.verdict.state} score=${c.verdict.score} confidence=${Math.round(c.verdict.confidence * 100)} %`);
    for (const e of c.verdict.evidence) lines.push(`  ${e}`);
  }
  const why = result.verdict === 'runaway' ? undefined : unknownWhy(trace, args.windowSeconds, result.judged);
  const verdict = why ? 'unknown' : result.verdict;
  if (why) lines.push(`unknown: ${why}; ${ACCEPTED_HISTORY}`);
  lines.push(`backtest: verdict=${verdict} first_alert_t=${result.firstAlertT ?? '-'}`);
  return { lines, verdict };
}

/** Why no verdict can be made from this trace, or undefined when one can. */
function unknownWhy(trace: Trace, windowSeconds: number, judged: number): string | undefined {
  if (trace.samples.length === 0) return 'the history has no samples';
  const missing = missingLegs(trace.samples);
  if (missing.length) return `the trace carries no ${missing.join(', no ')}`;
  return judged === 0 ? tooFewText(trace.samples, windowSeconds) : undefined;
}

/** Exit code 3: the trace lacks what a verdict needs (a verdict is 0, bad input 2). */
export const UNKNOWN_EXIT_CODE = 3;

export function backtest(argv: readonly string[]): void {
  const args = parseBacktestArgs(argv);
  const report = backtestReport(readTrace(args.file), args);
  process.stdout.write(`${report.lines.join('\n')}\n`);
  if (report.verdict === 'unknown') process.exitCode = UNKNOWN_EXIT_CODE;
}
