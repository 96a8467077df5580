// The example worker's environment variables, checked up front: a bad value stops it at
// start with a message naming the variable, not later in the middle of a job.

export interface ExampleSettings {
  queueUrl: string;
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  visibilityTimeoutSeconds: number;
  waitTimeSeconds: number;
  parkSeconds: number;
  metricsPort: number;
  defaultLimit: number;
  retryWindowMs: number | undefined;
  breakerStateDir: string | undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, [min, max]: [number, number]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv): ExampleSettings {
  const visibilityTimeoutSeconds = integer(env, 'VISIBILITY_TIMEOUT_SECONDS', 30, [2, 43_200]);
  return {
    queueUrl: required(env, 'QUEUE_URL'),
    downstreamUrl: required(env, 'DOWNSTREAM_URL'),
    downstreamTimeoutMs: integer(env, 'DOWNSTREAM_TIMEOUT_MS', 10_000, [1, 3_600_000]),
    visibilityTimeoutSeconds,
    waitTimeSeconds: integer(env, 'WAIT_TIME_SECONDS', 20, [0, 20]),
    parkSeconds: integer(env, 'PARK_SECONDS', 60, [0, 43_200]),
    metricsPort: integer(env, 'METRICS_PORT', 9464, [0, 65_535]),
    defaultLimit: integer(env, 'DEFAULT_LIMIT', 1, [1, 10_000]),
    retryWindowMs: env.RETRY_WINDOW_MS ? integer(env, 'RETRY_WINDOW_MS', 60_000, [1, 86_400_000]) : undefined,
    breakerStateDir: env.BREAKER_STATE_DIR || undefined,
  };
}
