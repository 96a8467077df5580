// `costguard backtest <history>`: the runaway detector over a recorded trace (or an export, or
// CloudWatch's get-metric-data JSON), exactly as the operator runs it live. Prints each
// verdict change with its evidence and ends with one machine-readable line:
// `backtest: verdict=<runaway|normal|unknown> first_alert_t=<seconds or ->` (unknown: the
// history has no samples at all, so nothing was judged).
import { replay } from '../controllers/runaway/replay.ts';
import { ConfigError, parseDuration } from '../runtime/index.ts';
import type { Trace } from '../signals/trace.ts';
import { readHistory } from './history.ts';

export interface BacktestArgs {
  file: string;
  windowSeconds: number;
  retryBudgetPercent: number;
  /** 0: evaluate at every sample of the trace. */
  intervalSeconds: number;
}

export const BACKTEST_USAGE = [
  'backtest <history> [flags]   run the runaway detector over a trace CSV, an export or get-metric-data JSON',
  '  --window=<duration>      how far back the detector looks (default "30m", as spec.runaway.window)',
  '  --retry-budget=<0-100>   retries allowed, in percent of attempts (default 10, as spec.runaway.retryBudgetPercent)',
  '  --interval=<duration>    evaluate once per sampling interval, as the operator does (default: every row)',
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
    if (!(FLAGS as readonly string[]).includes(name)) throw new ConfigError(`unknown flag --${name} for backtest (flags: ${FLAGS.map((f) => `--${f}`).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    values.set(name, value);
  }
  if (files.length !== 1) throw new ConfigError(files.length ? `backtest takes one trace file, got ${files.length}` : 'backtest needs a trace file: costguard backtest <trace.csv>');
  return {
    file: files[0]!,
    windowSeconds: durationFlag('window', values.get('window') ?? '30m', 60),
    retryBudgetPercent: percentFlag(values.get('retry-budget') ?? '10'),
    intervalSeconds: values.has('interval') ? durationFlag('interval', values.get('interval')!, 1) : 0,
  };
}

function splitFlag(body: string): [string, string | undefined] {
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

function durationFlag(name: string, value: string, minSeconds: number): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    throw new ConfigError(`invalid --${name}="${value}": ${(err as Error).message}`);
  }
  if (ms < minSeconds * 1000) throw new ConfigError(`invalid --${name}="${value}": must be at least ${minSeconds}s`);
  return ms / 1000;
}

function percentFlag(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 100) throw new ConfigError(`invalid --retry-budget="${value}": expected a percentage from 0 to 100`);
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

/** The report backtest prints: verdict changes with evidence, then the summary line. */
export function backtestReport(trace: Trace, args: BacktestArgs): string[] {
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
  const verdict = trace.samples.length === 0 ? 'unknown' : result.verdict;
  lines.push(`backtest: verdict=${verdict} first_alert_t=${result.firstAlertT ?? '-'}`);
  return lines;
}

export function backtest(argv: readonly string[]): void {
  const args = parseBacktestArgs(argv);
  process.stdout.write(`${backtestReport(readTrace(args.file), args).join('\n')}\n`);
}
