// Ctrl-C during `make demo` stops everything it started — kube-apiserver, etcd, moto, the
// in-process operator and workers — and a second run right after starts clean.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';

/** PIDs and command names of the direct children of `parent` (from /proc). */
function childrenOf(parent: number): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === parent) out.push({ pid: Number(entry), name: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function poll<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startDemo(report: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(repoRoot, 'hack', 'demo', 'main.ts'), '--short', '--report', report], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Starts the demo, waits until its workers run, presses Ctrl-C; returns what it had started. */
async function interruptOnce(report: string): Promise<void> {
  const demo = startDemo(report);
  try {
    await poll('the first simulated minute', () => (/\[unguarded\] minute {2}0 /.test(demo.output()) ? true : undefined), 120_000);
    const started = childrenOf(demo.child.pid!);
    const names = started.map((c) => c.name).join(', ');
    for (const name of ['kube-apiserver', 'etcd']) assert.ok(started.some((c) => c.name.startsWith(name)), `${name} not among ${names}`);
    assert.ok(started.some((c) => /moto|python/.test(c.name)), `moto not among ${names}`);
    demo.child.kill('SIGINT');
    const code = await Promise.race([demo.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    assert.equal(code, 130, demo.output());
    assert.match(demo.output(), /interrupted: stopping everything/);
    await poll('every child to be gone', () => (started.every((c) => !alive(c.pid)) ? true : undefined), 10_000);
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
}

describe('make demo: Ctrl-C', function () {
  this.timeout(300_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'costguard-demo-int-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops the servers it started and exits 130, twice in a row without cleanup', async () => {
    await interruptOnce(join(dir, 'a.html'));
    await interruptOnce(join(dir, 'b.html'));
  });
});
