// Argument checks shared by the library's constructors. Bad options are programming
// errors, so they throw a TypeError that names the option, in p-limit's wording, at
// construction time rather than misbehaving later.

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return typeof value;
}

/** Throws unless `value` is an integer ≥ `min` (or undefined when optional). */
export function checkInteger(name: string, value: unknown, min: number): void {
  if (Number.isSafeInteger(value) && (value as number) >= min) return;
  throw new TypeError(`Expected \`${name}\` to be an integer from ${min} and up, got ${show(value)}`);
}

export function checkOptionalInteger(name: string, value: unknown, min: number): void {
  if (value !== undefined) checkInteger(name, value, min);
}

export function checkOptionalString(name: string, value: unknown): void {
  if (value === undefined || (typeof value === 'string' && value.length > 0)) return;
  throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${show(value)}`);
}

export function checkString(name: string, value: unknown): void {
  if (typeof value === 'string' && value.length > 0) return;
  throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${show(value)}`);
}

export function checkFunction(name: string, value: unknown): void {
  if (typeof value === 'function') return;
  throw new TypeError(`Expected \`${name}\` to be a function, got ${show(value)}`);
}

export function checkOptionalFunction(name: string, value: unknown): void {
  if (value === undefined || typeof value === 'function') return;
  throw new TypeError(`Expected \`${name}\` to be a function, got ${show(value)}`);
}

export function checkOptionalBoolean(name: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  throw new TypeError(`Expected \`${name}\` to be a boolean, got ${show(value)}`);
}

/** Throws unless `value` is a plain object (the options bag itself). */
export function checkObject(name: string, value: unknown): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
  throw new TypeError(`Expected \`${name}\` to be an object, got ${show(value)}`);
}

/** Throws for keys the caller passed that the library does not know: a typo is a bug. */
export function checkKnownKeys(name: string, value: object, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new TypeError(`Unknown option \`${name}.${unknown[0]}\`; known options: ${known.join(', ')}`);
}
