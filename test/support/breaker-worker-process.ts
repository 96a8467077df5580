// The parent side of breaker-worker.ts: starts one real worker process and drives its
// breaker through stdin, waiting for the state the process reports on stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'breaker-worker.ts');

export interface BreakerWorkerOptions {
  host: string;
  /** 0 = any free port; read it from `port` once started. */
  port: number;
  /** The worker.json the library reads (COSTGUARD_CONFIG). */
  configFile: string;
  breaker: string;
}

export class BreakerWorkerProcess {
  readonly output: string[] = [];
  #port = 0;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #lines: string[] = [];
  #waiters: (() => void)[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.#lines.push(...parts);
      this.output.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
  }

  /** Starts the process and resolves once its /metrics endpoint listens. */
  static async start(opts: BreakerWorkerOptions): Promise<BreakerWorkerProcess> {
    const child = spawn(process.execPath, ['--conditions=costguard-source', script], {
      env: { ...process.env, METRICS_HOST: opts.host, METRICS_PORT: String(opts.port), COSTGUARD_CONFIG: opts.configFile, BREAKER_NAME: opts.breaker },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker = new BreakerWorkerProcess(child);
    let line: string;
    try {
      line = await worker.#next((l) => l.startsWith('listening '), `${opts.host}: /metrics listening`);
    } catch (err) {
      await worker.stop(); // never leave a process behind that the caller has no handle on
      throw err;
    }
    worker.#port = Number(line.slice('listening '.length));
    return worker;
  }

  get port(): number {
    return this.#port;
  }

  /** The downstream fails; resolves when the breaker has opened from the failed calls. */
  async fail(): Promise<void> {
    this.#lines = [];
    this.#child.stdin?.write('fail\n');
    await this.#next((l) => l === 'state open', 'the breaker opened');
  }

  /** The downstream recovers; resolves when the breaker's half-open trial has closed it. */
  async recover(): Promise<void> {
    this.#lines = [];
    this.#child.stdin?.write('recover\n');
    await this.#next((l) => l === 'state closed', 'the breaker closed');
  }

  /** Ends the process (SIGKILL if it does not exit on SIGTERM within 2 s) and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2_000);
    await this.#exited;
    clearTimeout(timer);
  }

  async #next(match: (line: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#lines.find(match);
      if (found !== undefined) return found;
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) throw new Error(`worker exited before ${what}: ${this.output.join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0 || this.#lines.some((l) => l.startsWith('error '))) throw new Error(`timed out waiting until ${what}: ${this.output.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}
