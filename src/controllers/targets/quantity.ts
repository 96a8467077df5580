// Pure: Kubernetes resource quantities ("400", "1600Gi", "500m", "1.5k", "1e3") as numbers, so
// decisions compare values, not strings. Written here so decide files import no client library.

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The quantity's value; undefined for undefined; NaN for text that is not a quantity. */
export function quantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const m = QUANTITY.exec(value.trim());
  if (!m) return NaN;
  const [, number = '', exponent, suffix = ''] = m;
  return exponent ? Number(`${number}${exponent}`) : Number(number) * (SUFFIX[suffix] ?? NaN);
}
