// The library does not bring a logging framework: it emits structured entries to a
// function the application supplies (pino's `logger.warn.bind(logger)` fits), and by
// default writes one JSON line per entry to stderr.

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type WorkerLog = (entry: LogEntry) => void;

export const stderrLog: WorkerLog = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), name: 'costguard-worker', ...entry })}\n`);
};
