// SIGTERM/SIGINT handling: the first signal starts a graceful stop (drain, release the
// Lease); a second one exits at once, for an operator who does not want to wait.
import type { Logger } from './logger.ts';

export function onShutdownSignal(stop: () => Promise<void>, log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let received = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      log.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    received = true;
    log.info({ signal }, 'shutting down gracefully');
    stop().catch((err: unknown) => log.error({ err }, 'graceful shutdown failed'));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
