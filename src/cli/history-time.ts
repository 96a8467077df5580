// Absolute times in other people's history files: ISO 8601 as CloudWatch and the AWS CLI print
// them ("2026-11-03T04:05:00Z", "2026-11-03T04:05:00+00:00", "2026-11-03 04:05:00"), or epoch
// seconds / milliseconds as Prometheus and spreadsheets do. A time without a zone is UTC:
// CloudWatch has no other.

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of `text`, or undefined when it is not a time this reader accepts. */
export function parseTime(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return epochMs(Number(s));
  const m = ISO.exec(s);
  if (!m) return undefined;
  const zoned = m[1] ? s : `${s.length === 10 ? `${s}T00:00:00` : s}Z`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

// Epoch seconds since 2001 have 10 digits, milliseconds 13: anything smaller is not a date.
function epochMs(n: number): number | undefined {
  if (n >= 1e12) return n;
  if (n >= 1e9) return n * 1000;
  return undefined;
}

/** "2026-11-03": the UTC day of an epoch ms. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
