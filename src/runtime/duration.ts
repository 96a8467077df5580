// Go-style durations ("30s", "1m30s", "500ms", "1.5h"), the format Kubernetes users already
// type in controller flags. Returned in milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;

/** Parses a duration; throws TypeError with the reason when it is not one. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  if (input === '') throw new TypeError('empty duration');
  if (/^\d+(\.\d+)?$/.test(input)) throw new TypeError(`missing unit in duration "${input}" (use ms, s, m or h)`);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const m = PART.exec(input);
    if (!m || m.index !== start) throw new TypeError(`invalid duration "${input}" (examples: 500ms, 30s, 1m30s, 2h)`);
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  return Math.round(total);
}

/** Formats milliseconds back to the shortest readable form ("1m30s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
