#!/usr/bin/env node
// The costguard command. Subcommands: operator (run the controllers), backtest (the runaway
// detector over a recorded trace), export (a trace from CloudWatch and Prometheus history),
// recommend (ceilings from history), version, help.
import { ConfigError, configUsage, parseConfig } from '../runtime/index.ts';
import { backtest, BACKTEST_USAGE } from './backtest.ts';
import { EXPORT_USAGE, ExportFailed, exportHistory } from './export.ts';
import { runOperator } from './operator.ts';
import { recommend, RECOMMEND_USAGE } from './recommend.ts';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// package.json sits two levels up from both src/cli/main.ts and dist/cli/main.js.
const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

function usage(): string {
  return ['usage: costguard <command> [flags]', '', 'commands:', '  operator   run the CostGuard controllers', '  backtest   run the runaway detector over a signal trace', '  export     pull a trace of a group\'s history from CloudWatch and Prometheus', '  recommend  propose ceilings from history', '  version    print the version', '  help       print this text (also --help, -h)', '', 'operator flags:', configUsage(), '', BACKTEST_USAGE, '', EXPORT_USAGE, '', RECOMMEND_USAGE].join('\n');
}

async function operator(argv: string[]): Promise<void> {
  const { config } = parseConfig(argv, process.env, { hostname: hostname() });
  const defaultRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  await runOperator({ config, defaultRegion });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'operator') return operator(rest);
  if (command === 'backtest') return backtest(rest);
  if (command === 'export') return exportHistory(rest);
  if (command === 'recommend') return recommend(rest);
  if (command === 'version' || command === '--version') return void process.stdout.write(`costguard ${VERSION}\n`);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return void process.stdout.write(`${usage()}\n`);
  throw new ConfigError(`unknown command "${command}"; run costguard help`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Bad flags and values are the user's to fix: one line, no stack trace, exit code 2. A
  // provider failure that outlived its retries is one line too, but exit code 1.
  if (err instanceof ConfigError) {
    process.stderr.write(`costguard: ${err.message}\n`);
    process.exitCode = err instanceof ExportFailed ? 1 : 2;
    return;
  }
  process.stderr.write(`costguard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
