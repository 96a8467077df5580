// Flags of the history commands (export, recommend): `--name=value` or `--name value`, switches
// without a value, the rest positional. Anything unknown is a ConfigError naming the flags that
// exist, so a typo never silently changes what a command does.
import { ConfigError, parseDuration } from '../runtime/index.ts';

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags that are true when present (`--below-normal-peak`). */
  readonly switches?: readonly string[];
}

export interface ParsedFlags {
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly args: readonly string[];
}

export function parseFlags(command: string, argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const args: string[] = [];
  const known = [...spec.values, ...(spec.switches ?? [])].map((f) => `--${f}`).join(', ');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (spec.switches?.includes(name) && eq < 0) {
      switches.add(name);
      continue;
    }
    if (!spec.values.includes(name)) throw new ConfigError(`unknown flag --${name} for ${command} (flags: ${known}); run costguard help`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    values.set(name, value);
  }
  return { values, switches, args };
}

/** A positive decimal flag within [min, max]. */
export function numberFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max) throw new ConfigError(`invalid --${name}="${value}": expected a number from ${min} to ${max}`);
  return n;
}

/** Seconds in a span: "30d", "12h", "90m", "1h30m". Days are what history periods are counted in. */
export function spanSeconds(name: string, value: string): number {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(value.trim());
  if (days) return Number(days[1]) * 86_400;
  try {
    return parseDuration(value) / 1000;
  } catch (err) {
    throw new ConfigError(`invalid --${name}="${value}": ${(err as Error).message}, or days such as 30d`);
  }
}
