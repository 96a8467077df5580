// pino JSON logs. Every reconcile gets a child logger carrying controller, namespace, name and
// reconcileID, so one reconcile's lines can be pulled out of a busy operator's log.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  // The process is named once (`service`); `component` is left to the children that set it
  // (notifier, leader-election): pino would write a second `component` key, not replace it.
  // (Not `name`: a reconcile's lines carry the guard's name.)
  const options = { level, base: { service: 'costguard' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything (tests, libraries used without a logger). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
