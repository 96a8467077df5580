// Durations in the spec are strings like "30s", "15m", "1h30m" or "7d". Go's time.ParseDuration
// has no "d" and CEL's duration() follows Go, so the CRD checks the grammar by pattern and the
// operator turns the string into milliseconds here.

/** One or more `<number><unit>` terms; units ms, s, m, h, d. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$';

const durationRe = new RegExp(DURATION_PATTERN);
const termRe = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g;

const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export function isDuration(value: unknown): value is string {
  return typeof value === 'string' && durationRe.test(value);
}

/**
 * Milliseconds in a duration string: `parseDuration('10m') === 600000`,
 * `parseDuration('1h30m') === 5400000`, `parseDuration('1.5s') === 1500`.
 * Fractions of a millisecond are rounded to the nearest millisecond.
 * @throws TypeError when the value does not match {@link DURATION_PATTERN}.
 */
export function parseDuration(value: string): number {
  if (!isDuration(value)) {
    throw new TypeError(`invalid duration ${JSON.stringify(value)}: expected terms like 30s, 15m, 1h30m or 7d`);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(termRe)) {
    total += Number(amount) * (unitMs[unit ?? ''] ?? 0);
  }
  return Math.round(total);
}

/** The shortest exact rendering of a millisecond count, for messages ("90000" → "1m30s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = unitMs[unit] ?? 1;
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}
