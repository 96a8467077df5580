// costguard/worker: a concurrency cap that follows the fleet-wide limit CostGuard
// publishes, circuit breakers configured by the guard, a retry budget that stops retries
// while the guard's brake is engaged, and the Prometheus metrics the operator reads.
// Depends on p-limit, opossum and prom-client only.
export { createWorker, initialSettings, Worker, type WorkerDefaults, type WorkerOptions } from './worker.ts';
export { BacklogFullError, ConcurrencyLimiter, DEFAULT_MAX_PENDING, type LimiterOptions } from './limiter.ts';
export { RetryBudget, retryAllowed, type RetryBudgetOptions, type RetryCounts } from './retry-budget.ts';
export { Breaker, BreakerSet, BREAKER_STATE_VALUE, isBreakerOpenError, type BreakerOptions, type BreakerState } from './breakers.ts';
export { ConfigSource, DEFAULT_CONFIG_PATH, DEFAULT_POLL_INTERVAL_MS, resolveConfigPath, type ConfigSourceOptions } from './config-source.ts';
export { DEFAULT_METRICS_PORT, METRIC_PREFIX, METRICS_PATH, serveMetrics, WorkerMetrics, type MetricsSources, type WorkerCounts } from './metrics.ts';
export { DEFAULT_SETTINGS, parseSettings, SUPPORTED_VERSION, type BreakerSettings, type ParseResult, type WorkerSettings } from './settings.ts';
export { realClock, type WorkerClock, type WorkerTimer } from './clock.ts';
export { stderrLog, type LogEntry, type LogLevel, type WorkerLog } from './log.ts';
