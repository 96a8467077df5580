// The operator as a separate process, as it runs in a cluster: so its RSS and CPU are its
// own, read from /proc, and its metrics from its /metrics endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse } from 'yaml';
import { freePort, repoRoot } from '../hack/localenv/index.ts';

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** The chart's default NODE_OPTIONS: measure the operator as it ships. */
const NODE_FLAGS: string[] = String((parse(readFileSync(join(repoRoot, 'charts/costguard/values.yaml'), 'utf8')) as { nodeOptions?: string }).nodeOptions ?? '')
  .split(' ')
  .filter(Boolean);

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly nodeFlags: string[];

  private constructor(child: ChildProcess, metricsUrl: string, nodeFlags: string[]) {
    this.child = child;
    this.metricsUrl = metricsUrl;
    this.nodeFlags = nodeFlags;
  }

  static async start(args: string[], env: Record<string, string>): Promise<OperatorProcess> {
    const port = await freePort();
    // The compiled build, with the V8 flags of the container image: measure what ships.
    const nodeFlags = [...NODE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    // BENCH_OPERATOR_MAIN runs another build (say the previous commit's) for a before/after.
    const main = process.env.BENCH_OPERATOR_MAIN ?? join(repoRoot, 'dist/cli/main.js');
    const argv = [...nodeFlags, main, 'operator', '--leader-elect=false', `--metrics-bind-address=127.0.0.1:${port}`, '--health-probe-bind-address=0', '--log-level=warn', ...args];
    const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    const op = new OperatorProcess(child, `http://127.0.0.1:${port}/metrics`, nodeFlags);
    for (let i = 0; i < 100; i++) {
      if (await fetch(op.metricsUrl).then((r) => r.ok, () => false)) return op;
      await delay(100);
    }
    throw new Error('operator did not serve /metrics');
  }

  /** Resident set size in MiB. */
  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  }

  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  /** Sum of a counter across label sets, from /metrics. */
  async counter(name: string, labelFilter = ''): Promise<number> {
    const text = await (await fetch(this.metricsUrl)).text();
    return text
      .split('\n')
      .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labelFilter))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
