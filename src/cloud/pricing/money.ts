// Money as integers. Prices and estimates are micro-dollars (1 USD = 1,000,000 µ$) held in
// plain integers, so sums of many instances never drift the way binary floats do; only the
// edges convert to and from the decimal strings the API uses ("12.00", "0.0104").

export const MICROS_PER_DOLLAR = 1_000_000;

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Micro-dollars in a non-negative decimal string. Digits beyond the sixth decimal are rounded
 * half up (the AWS price list prints ten decimals; no price has a meaningful seventh).
 * @throws TypeError when the text is not a plain non-negative decimal.
 */
export function parseMicros(text: string): number {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new TypeError(`not a decimal amount: ${JSON.stringify(text)}`);
  const fraction = (m[2] ?? '').padEnd(7, '0');
  const micros = Number(m[1]) * MICROS_PER_DOLLAR + Number(fraction.slice(0, 6));
  const rounded = Number(fraction[6]) >= 5 ? micros + 1 : micros;
  if (!Number.isSafeInteger(rounded)) throw new TypeError(`amount out of range: ${text}`);
  return rounded;
}

/**
 * The decimal string for an amount, rounded half up to 4 decimals (the API's money grammar),
 * with at least 2: 12_000_000 → "12.00", 10_400 → "0.0104", 89_250 → "0.0893".
 */
export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new TypeError(`not a non-negative integer amount: ${micros}`);
  const tenThousandths = Math.floor((micros + 50) / 100);
  const dollars = Math.floor(tenThousandths / 10_000);
  const fraction = String(tenThousandths % 10_000).padStart(4, '0').replace(/0{1,2}$/, '');
  return `${dollars}.${fraction.length < 2 ? fraction.padEnd(2, '0') : fraction}`;
}

/** `amount` as a whole-number percentage of `of`, rounded down; 0 when `of` is 0. */
export function percentOf(amount: number, of: number): number {
  return of > 0 ? Math.floor((amount * 100) / of) : 0;
}
