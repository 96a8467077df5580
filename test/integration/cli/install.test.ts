// The two packages as people install them: `npm pack` (which builds dist/ through prepack) and
// `npm install --omit=dev` of the tarball into a fresh app, from the npm registry. The operator
// package puts `costguard` on PATH; the worker package installs p-limit, opossum and
// prom-client with what they need and nothing of the operator, in under 10 MB.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { repoRoot } from '../../../hack/localenv/index.ts';

const npm = 'npm';
const npx = 'npx';
/** npm (from PATH), and the bin scripts it installs, run on this node. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** Runs a command in `cwd`; resolves with its stdout, rejects with its output when it fails. */
function ok(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Bytes on disk under a folder (files only, as `du -sb` counts them without directories). */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = join(dir, e.name);
    return sum + (e.isDirectory() ? bytesUnder(p) : e.isFile() ? statSync(p).size : 0);
  }, 0);
}

/** Package names at node_modules' top level (`@scope/name` for scoped ones). */
function installed(app: string): string[] {
  const top = join(app, 'node_modules');
  return readdirSync(top).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(top, n)).map((s) => `${n}/${s}`) : [n]));
}

async function freshApp(root: string, name: string, tarball: string): Promise<string> {
  const app = join(root, name);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  await ok(npm, ['install', '--omit=dev', tarball], app);
  return app;
}

describe('installable packages (npm pack, then npm install --omit=dev in a fresh app)', function () {
  this.timeout(600_000);
  let root: string;
  let worker: string;
  let operator: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'costguard-install-'));
    const packed = async (dir: string): Promise<string> => join(root, (await ok(npm, ['pack', '--pack-destination', root, dir], repoRoot)).trim().split('\n').pop()!);
    worker = await freshApp(root, 'fleet', await packed('./packages/worker'));
    operator = await freshApp(root, 'ops', await packed('.'));
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('@costguard/worker installs its three dependencies (and theirs) only, in under 10 MB', () => {
    const names = installed(worker);
    assert.ok(names.includes('@costguard/worker') && names.includes('p-limit') && names.includes('opossum') && names.includes('prom-client'), names.join(', '));
    assert.deepEqual(names.filter((n) => /^@aws-sdk\/|^@kubernetes\/|^costguard$|^pino$|^undici$/.test(n)), [], 'nothing of the operator');
    const mb = bytesUnder(join(worker, 'node_modules')) / 1e6;
    assert.ok(mb < 10, `${mb.toFixed(1)} MB`);
  });

  it('@costguard/worker imports from plain JavaScript and runs a job', async () => {
    writeFileSync(join(worker, 'main.js'), `
      import { createWorker } from '@costguard/worker';
      const w = createWorker({ metricsPort: false, configPath: '/nonexistent/worker.json', log: () => {} });
      await w.start();
      console.log(await w.run(() => 6 * 7));
      await w.close();
    `);
    assert.equal((await ok(process.execPath, ['main.js'], worker)).trim(), '42');
  });

  it('costguard puts `costguard` on PATH: --version and help from the install', async () => {
    const version = (await ok(join(operator, 'node_modules/.bin/costguard'), ['--version'], operator)).trim();
    assert.match(version, /^costguard \d+\.\d+\.\d+/);
    assert.match(await ok(npx, ['--no-install', 'costguard', 'help'], operator), /usage: costguard <command>/);
  });

  it('the operator package carries dist/ (built on pack) and the CRDs, not the sources or the image', () => {
    const pkg = join(operator, 'node_modules/costguard');
    assert.ok(statSync(join(pkg, 'dist/cli/main.js')).isFile());
    assert.ok(statSync(join(pkg, 'crds')).isDirectory());
    assert.deepEqual(readdirSync(pkg).sort(), ['README.md', 'crds', 'dist', 'package.json']);
    assert.deepEqual(readdirSync(join(pkg, 'dist')).filter((d) => d === 'image' || d === 'demo'), []);
  });
});
