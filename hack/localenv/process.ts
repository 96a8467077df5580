// A child process of the local environment: output goes to a log file (printed when a test
// fails), and it is killed when this process exits, so no stray servers survive a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export class ManagedProcess {
  readonly spec: ProcessSpec;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(spec: ProcessSpec) {
    this.spec = spec;
  }

  start(): void {
    const log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(this.spec.command, this.spec.args, {
      env: this.spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C in a terminal (make sandbox, make demo) reaches only this
      // process, which stops the servers after what depends on them (the operator releases its
      // Lease while the API server still answers). A crash still kills them (above).
      detached: true,
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        running.delete(child);
        resolve(code);
      });
      child.on('error', (err) => {
        log.write(`spawn failed: ${err.message}\n`);
        running.delete(child);
        resolve(-1);
      });
    });
    this.child = child;
    this.log = log;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code if the process dies; used to fail fast while waiting. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return this.closeLog();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    return this.closeLog();
  }

  /** The last `lines` lines of the log, for failure reports. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async closeLog(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }
}
