// The parent's handle on one operator process: start it, wait for what it prints, read its
// metrics, and inject process faults (SIGKILL, SIGSTOP/SIGCONT).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';
import type { ProcessArgs } from './operator-process.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class OperatorProcess {
  readonly identity: string;
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly metricsPort: number;
  private output = '';
  private readonly waiters: Array<() => void> = [];

  private constructor(child: ChildProcess, args: ProcessArgs) {
    this.child = child;
    this.identity = args.identity;
    this.metricsPort = args.metricsPort;
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    child.stdout?.on('data', (b: Buffer) => {
      this.output += b.toString();
      for (const w of [...this.waiters]) w();
    });
  }

  /** Spawns the operator and resolves once it printed "started". */
  static async start(args: Omit<ProcessArgs, 'metricsPort'>, awsEndpoint: string): Promise<OperatorProcess> {
    const full: ProcessArgs = { ...args, metricsPort: await freePort() };
    const child = spawn(process.execPath, [join(import.meta.dirname, 'operator-process.ts'), JSON.stringify(full)], {
      env: { ...process.env, KUBECONFIG: testEnv().kubeconfigPath, AWS_ENDPOINT_URL: awsEndpoint },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const op = new OperatorProcess(child, full);
    await op.printed('started', 60_000);
    return op;
  }

  /** Resolves once the process printed `line`; rejects if it exits first or on timeout. */
  printed(line: string, timeoutMs = 30_000): Promise<void> {
    const seen = (): boolean => this.output.split('\n').includes(line);
    if (seen()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.identity}: no "${line}" within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        if (seen()) done();
      };
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.waiters.splice(this.waiters.indexOf(check), 1);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.push(check);
      void this.exited.then((e) => done(seen() ? undefined : new Error(`${this.identity} exited (${e.code ?? e.signal}) before "${line}"`)));
    });
  }

  /** Reconciles of one controller that ended without an error so far, from the metrics endpoint. */
  async reconciles(controller: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('costguard_reconcile_total{') && l.includes(`controller="${controller}"`) && !l.includes('result="error"'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** kill -9 and wait until the process is gone. */
  async kill(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }
}
