// What the operator publishes for a guard's workers (the `worker.json` key of the
// `costguard-<guard>` ConfigMap), and its parser. The parser is all-or-nothing: a file with
// one bad field is rejected whole, so a worker never runs on half of a new configuration.
// Unknown keys are ignored, so the operator can add fields without breaking older workers.

export interface BreakerSettings {
  /** Failure share (percent of calls in the rolling window) above which a breaker opens. */
  errorThresholdPercentage: number;
  /** Calls in the rolling window before a breaker may open at all (≥ 1). */
  volumeThreshold: number;
  /** How long an open breaker waits before letting one trial call through. */
  resetTimeoutMs: number;
  /** Share of replicas with an open breaker at which the operator calls the downstream down. */
  fleetOpenPercent: number;
}

export interface WorkerSettings {
  /** The concurrency limit of this replica (≥ 1). */
  perReplicaLimit: number;
  /** The guard's brake is engaged: no retries at all. */
  frozen: boolean;
  /** Retries may be at most this percentage of attempts over the retry window. */
  retryBudgetPercent: number;
  breaker: BreakerSettings;
  /** `<namespace>/<name>` of the guard that published the settings, when known. */
  guard?: string;
  /** When the operator published them (RFC 3339), when known. */
  publishedAt?: string;
}

/**
 * The settings a worker uses before it has read a good file: one job at a time, which is
 * the safe choice for cost when the ConfigMap is not mounted yet (override with the
 * `defaults` option).
 */
export const DEFAULT_SETTINGS: WorkerSettings = Object.freeze({
  perReplicaLimit: 1,
  frozen: false,
  retryBudgetPercent: 10,
  breaker: Object.freeze({ errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50 }),
});

export const SUPPORTED_VERSION = 1;

export type ParseResult = { ok: true; settings: WorkerSettings } | { ok: false; error: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The integer at `obj[key]` within [min, max], or a sentence saying why not. */
function intField(obj: Json, key: string, path: string, [min, max]: [number, number]): number | string {
  const value = obj[key];
  if (!Number.isSafeInteger(value)) return `${path}${key} must be an integer, got ${JSON.stringify(value) ?? 'nothing'}`;
  const n = value as number;
  if (n < min || n > max) return `${path}${key} must be between ${min} and ${max}, got ${n}`;
  return n;
}

const BREAKER_FIELDS: ReadonlyArray<[keyof BreakerSettings, [number, number]]> = [
  ['errorThresholdPercentage', [1, 100]],
  ['volumeThreshold', [1, Number.MAX_SAFE_INTEGER]],
  ['resetTimeoutMs', [1, 24 * 3600 * 1000]],
  ['fleetOpenPercent', [1, 100]],
];

function parseBreaker(value: unknown): BreakerSettings | string {
  if (!isObject(value)) return 'breaker must be an object';
  const out: Partial<BreakerSettings> = {};
  for (const [key, range] of BREAKER_FIELDS) {
    const n = intField(value, key, 'breaker.', range);
    if (typeof n === 'string') return n;
    out[key] = n;
  }
  return out as BreakerSettings;
}

function parseTop(doc: Json): WorkerSettings | string {
  if (doc.version !== SUPPORTED_VERSION) return `version must be ${SUPPORTED_VERSION}, got ${JSON.stringify(doc.version) ?? 'nothing'}`;
  const limit = intField(doc, 'perReplicaLimit', '', [1, 1_000_000]);
  if (typeof limit === 'string') return limit;
  if (typeof doc.frozen !== 'boolean') return `frozen must be a boolean, got ${JSON.stringify(doc.frozen) ?? 'nothing'}`;
  const budget = intField(doc, 'retryBudgetPercent', '', [0, 100]);
  if (typeof budget === 'string') return budget;
  const breaker = parseBreaker(doc.breaker);
  if (typeof breaker === 'string') return breaker;
  const settings: WorkerSettings = { perReplicaLimit: limit, frozen: doc.frozen, retryBudgetPercent: budget, breaker };
  if (typeof doc.guard === 'string') settings.guard = doc.guard;
  if (typeof doc.publishedAt === 'string') settings.publishedAt = doc.publishedAt;
  return settings;
}

/** Parses the text of `worker.json`; never throws. */
export function parseSettings(text: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(doc)) return { ok: false, error: 'not a JSON object' };
  const result = parseTop(doc);
  return typeof result === 'string' ? { ok: false, error: result } : { ok: true, settings: result };
}

/** Whether two settings would make a worker behave differently (publishedAt aside). */
export function sameSettings(a: WorkerSettings, b: WorkerSettings): boolean {
  return a.perReplicaLimit === b.perReplicaLimit && a.frozen === b.frozen && a.retryBudgetPercent === b.retryBudgetPercent
    && sameBreaker(a.breaker, b.breaker);
}

export function sameBreaker(a: BreakerSettings, b: BreakerSettings): boolean {
  return BREAKER_FIELDS.every(([key]) => a[key] === b[key]);
}
