// Polling helpers for process readiness (the local environment only; tests of CostGuard's
// own logic use the injected clock, never wall-clock waits).
import { setTimeout as delay } from 'node:timers/promises';
import type { ManagedProcess } from './process.ts';

export interface ReadyProbe {
  what: string;
  timeoutMs: number;
  check: () => Promise<boolean>;
}

/** Polls `check` until it is true; fails early, with the log tail, when the process dies. */
export async function waitUntilReady(proc: ManagedProcess, probe: ReadyProbe): Promise<void> {
  const deadline = Date.now() + probe.timeoutMs;
  let died = false;
  void proc.whenExited().then(() => (died = true));
  while (Date.now() < deadline) {
    if (died) throw new Error(`${probe.what} exited during start-up:\n${proc.tail()}`);
    if (await probe.check().catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`${probe.what} not ready after ${probe.timeoutMs} ms:\n${proc.tail()}`);
}
