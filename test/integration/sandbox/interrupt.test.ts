// `make sandbox` stays up until Ctrl-C, then stops what it started: the operator (which releases
// its Lease while the API server still answers), the Slack sink, kube-apiserver, etcd and moto.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { poll } from '../../support/poll.ts';

/** PIDs and command names of the direct children of `parent` (from /proc). */
function childrenOf(parent: number): { pid: number; name: string }[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((entry) => {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      return Number(stat.slice(close + 2).split(' ')[1]) === parent ? [{ pid: Number(entry), name: stat.slice(stat.indexOf('(') + 1, close) }] : [];
    } catch {
      return [];
    }
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('make sandbox: Ctrl-C', function () {
  this.timeout(180_000);
  let dir: string;

  before(() => (dir = mkdtempSync(join(tmpdir(), 'costguard-sandbox-int-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints how to use it, stays up, and on Ctrl-C (SIGINT to its process group) stops everything it started and exits 0', async () => {
    // In its own process group, signalled as a group below: what Ctrl-C in a terminal does.
    const child = spawn(process.execPath, [join(repoRoot, 'hack/sandbox/main.ts'), '--dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await poll('the usage text', () => out.includes('Ctrl-C stops everything.'), 120_000, 200);
      assert.match(out, new RegExp(`source ${join(dir, 'env')}`));
      assert.ok(existsSync(join(dir, 'kubeconfig')) && existsSync(join(dir, 'env')));
      const started = childrenOf(child.pid!);
      const names = started.map((c) => c.name).join(', ');
      for (const name of ['kube-apiserver', 'etcd']) assert.ok(started.some((c) => c.name.startsWith(name)), `${name} not among ${names}`);
      process.kill(-child.pid!, 'SIGINT');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
      assert.equal(code, 0, out);
      assert.match(out, /sandbox: stopped/);
      assert.doesNotMatch(out, /could not release leader lease/, 'the API server outlives the operator');
      await poll('every child to be gone', () => started.every((c) => !alive(c.pid)), 10_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
