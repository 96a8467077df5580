// A small reader of the Prometheus text exposition format (0.0.4, and the OpenMetrics text
// that prom-client can also serve), enough to pick the samples of one metric out of a scrape.
// Written here rather than taken from npm: the parsers there are unmaintained and untyped, and
// the grammar we need is small: `name{label="value",...} value [timestamp]`, with `\\`, `\"`
// and `\n` escapes in label values, `#` lines for HELP/TYPE/comments, NaN and ±Inf values.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Thrown for a line that is not valid exposition text; the caller treats the whole scrape as unreadable. */
export class ExpositionError extends Error {
  override readonly name = 'ExpositionError';
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Every sample of `metric` in `text`, in order. Lines of other metrics are skipped, not parsed in full. */
export function samplesOf(text: string, metric: string): Sample[] {
  const out: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line || line.startsWith('#')) continue;
    const name = NAME_RE.exec(line)?.[0];
    if (!name) throw new ExpositionError(`line ${i + 1}: no metric name`);
    if (name !== metric) continue;
    try {
      out.push(parseSample(line.slice(name.length)));
    } catch (err) {
      throw new ExpositionError(`line ${i + 1}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** `{a="b",c="d"} 2 1700000000` (the part after the metric name). */
function parseSample(rest: string): Sample {
  let pos = 0;
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest, 1);
    labels = parsed.labels;
    pos = parsed.end;
  }
  const fields = rest.slice(pos).trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || !fields[0]) throw new Error('expected a value and at most a timestamp');
  return { labels, value: parseValue(fields[0]) };
}

function parseValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (!/^[-+]?[0-9.eE+-]+$/.test(text) || Number.isNaN(value)) throw new Error(`not a number: ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/** Labels from `start` (just after `{`) to the closing `}`; returns the index after it. */
function parseLabels(s: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let pos = skipSpaces(s, start);
  while (s[pos] !== '}') {
    const name = LABEL_NAME_RE.exec(s.slice(pos))?.[0];
    if (!name) throw new Error(`bad label name at column ${pos + 1}`);
    pos = skipSpaces(s, pos + name.length);
    if (s[pos] !== '=' || s[skipSpaces(s, pos + 1)] !== '"') throw new Error(`expected ="…" after label ${name}`);
    const value = readQuoted(s, skipSpaces(s, pos + 1) + 1);
    labels[name] = value.text;
    pos = skipSpaces(s, value.end);
    if (s[pos] === ',') pos = skipSpaces(s, pos + 1);
    else if (s[pos] !== '}') throw new Error(`expected , or } at column ${pos + 1}`);
  }
  return { labels, end: pos + 1 };
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n' };

/** A label value from `start` (just after the opening quote); returns the index after the closing one. */
function readQuoted(s: string, start: number): { text: string; end: number } {
  let text = '';
  for (let pos = start; pos < s.length; pos++) {
    const ch = s[pos];
    if (ch === '"') return { text, end: pos + 1 };
    if (ch !== '\\') {
      text += ch;
      continue;
    }
    const next = s[++pos] ?? '';
    text += ESCAPES[next] ?? `\\${next}`;
  }
  throw new Error('unterminated label value');
}

function skipSpaces(s: string, pos: number): number {
  let p = pos;
  while (s[p] === ' ' || s[p] === '\t') p++;
  return p;
}
