// Builders for the worker library's unit tests: a published worker.json, a temp folder to
// hold it, a deferred job the test finishes by hand, and a log that records.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '../../../src/worker/index.ts';

export interface Published {
  version?: unknown;
  guard?: string;
  perReplicaLimit?: unknown;
  frozen?: unknown;
  retryBudgetPercent?: unknown;
  breaker?: Record<string, unknown>;
  publishedAt?: string;
  [extra: string]: unknown;
}

/** A valid worker.json document with `overrides` applied. */
export function published(overrides: Published = {}): Published {
  const { breaker, ...rest } = overrides;
  return {
    version: 1,
    guard: 'payments/orders-worker',
    perReplicaLimit: 4,
    frozen: false,
    retryBudgetPercent: 10,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 30_000, fleetOpenPercent: 50, ...breaker },
    publishedAt: '2025-01-01T00:00:00Z',
    ...rest,
  };
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'costguard-worker-'));

  file(name: string): string {
    return join(this.path, name);
  }

  write(name: string, content: string | Published): string {
    const file = this.file(name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function recordingLog(): { entries: LogEntry[]; log: (entry: LogEntry) => void } {
  const entries: LogEntry[] = [];
  return { entries, log: (entry) => entries.push(entry) };
}

/** Lets promise chains and setImmediate callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
