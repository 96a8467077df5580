// Follows the mounted `worker.json` and keeps the last good settings.
//
// Kubernetes updates a mounted ConfigMap by writing a new timestamped folder and swapping
// the `..data` symlink, so a read sees either the old file or the new one, never half of
// one. The kubelet does that within its sync period (default 1 min, plus its cache TTL),
// then this source notices within `pollIntervalMs` (default 5 s) at worst; `fs.watch` on
// the folder is only a hint that usually makes it immediate, because watching through
// symlink swaps is unreliable across filesystems.
//
// A missing, unreadable or invalid file never changes the settings in use: the error is
// counted, logged once per distinct message, and the previous good settings stay.
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { WorkerClock, WorkerTimer } from './clock.ts';
import type { WorkerLog } from './log.ts';
import { parseSettings, sameSettings, type WorkerSettings } from './settings.ts';

export const DEFAULT_CONFIG_PATH = '/etc/costguard/worker.json';
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** The option if given, else env `COSTGUARD_CONFIG`, else `/etc/costguard/worker.json`. */
export function resolveConfigPath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? (env.COSTGUARD_CONFIG || DEFAULT_CONFIG_PATH);
}

export interface ConfigSourceOptions {
  path: string;
  clock: WorkerClock;
  log: WorkerLog;
  initial: WorkerSettings;
  pollIntervalMs?: number;
  /** Use fs.watch as a hint (default true). */
  watch?: boolean;
  /** Called with the new settings whenever a good file changes what workers do. */
  onChange?: (settings: WorkerSettings, previous: WorkerSettings) => void;
  /** Called for every failed load (the metrics count them). */
  onError?: (error: string) => void;
  /** Called for every good load. */
  onSuccess?: (at: number) => void;
}

export class ConfigSource {
  readonly path: string;
  #settings: WorkerSettings;
  #lastError: string | undefined;
  #lastText: string | undefined;
  #timer: WorkerTimer | undefined;
  #watcher: FSWatcher | undefined;
  #running = false;
  readonly #options: ConfigSourceOptions;
  readonly #pollMs: number;

  constructor(options: ConfigSourceOptions) {
    this.#options = options;
    this.path = options.path;
    this.#settings = options.initial;
    this.#pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** The settings in use: the last good file's, or the initial ones. */
  get settings(): WorkerSettings {
    return this.#settings;
  }

  /** Why the last load failed, or undefined when it succeeded. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Loads now, then keeps loading every poll interval and on file events. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.reload();
    this.#schedule();
    if (this.#options.watch !== false) this.#startWatch();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Reads and applies the file once; true when it was good. Never throws. */
  reload(): boolean {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return this.#fail(code === 'ENOENT' ? 'the file does not exist' : `cannot read the file: ${(err as Error).message}`);
    }
    if (text === this.#lastText) return this.#succeed(this.#settings);
    const parsed = parseSettings(text);
    if (!parsed.ok) return this.#fail(parsed.error);
    this.#lastText = text;
    return this.#succeed(parsed.settings);
  }

  #succeed(next: WorkerSettings): boolean {
    const { log, onChange, onSuccess, clock } = this.#options;
    if (this.#lastError !== undefined) log({ level: 'info', msg: 'costguard worker config is valid again', path: this.path });
    this.#lastError = undefined;
    const previous = this.#settings;
    this.#settings = next;
    onSuccess?.(clock.now());
    if (!sameSettings(previous, next)) {
      log({ level: 'info', msg: 'costguard worker settings changed', path: this.path, perReplicaLimit: next.perReplicaLimit, frozen: next.frozen, retryBudgetPercent: next.retryBudgetPercent });
      onChange?.(next, previous);
    }
    return true;
  }

  #fail(error: string): boolean {
    if (error !== this.#lastError) {
      this.#options.log({ level: 'warn', msg: 'costguard worker config rejected; keeping the last good settings', path: this.path, error, perReplicaLimit: this.#settings.perReplicaLimit });
    }
    this.#lastError = error;
    this.#options.onError?.(error);
    return false;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.reload();
      this.#schedule();
    }, this.#pollMs);
  }

  #startWatch(): void {
    try {
      this.#watcher = watch(dirname(this.path), { persistent: false }, () => {
        if (this.#running) this.reload();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // The folder may not exist yet (volume not mounted): polling covers it.
      this.#watcher = undefined;
    }
  }
}
