// costguard/worker as a user gets it: the `./worker` export of the built package, imported
// from plain JavaScript and type-checked from TypeScript through its declarations, with
// none of the operator's Kubernetes or AWS clients loaded. Also: the example's Deployment
// is a valid object for a real API server.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';

const TSC = join(repoRoot, 'node_modules/typescript/bin/tsc');

describe('costguard/worker package export', function () {
  this.timeout(120_000);
  let dir: string;

  before(async function () {
    // A copy of the package holding only what `npm run build` emits for the library.
    dir = mkdtempSync(join(tmpdir(), 'costguard-pkg-'));
    cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const build = await run(process.execPath, [TSC, '--ignoreConfig', '--outDir', join(dir, 'dist/worker'), '--rootDir', join(repoRoot, 'src/worker'),
      '--declaration', '--target', 'es2024', '--module', 'nodenext', '--rewriteRelativeImportExtensions', '--allowImportingTsExtensions',
      '--verbatimModuleSyntax', '--strict', '--skipLibCheck', '--types', 'node', join(repoRoot, 'src/worker/index.ts')]);
    assert.equal(build.code, 0, build.stdout + build.stderr);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports from plain JavaScript (ESM) and loads no Kubernetes or AWS client', async () => {
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app/main.mjs'), `
      import { registerHooks } from 'node:module';
      const resolved = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
      const { createWorker, BacklogFullError } = await import('costguard/worker');
      const worker = createWorker({ metricsPort: false, configPath: '/nonexistent/worker.json', log: () => {} });
      await worker.start();
      const result = await worker.run(() => 42);
      await worker.close();
      const entry = resolved.find((u) => u.includes('/dist/worker/index.js')) !== undefined;
      const loaded = resolved.filter((u) => /@kubernetes|@aws-sdk|\\/src\\//.test(u));
      console.log(JSON.stringify({ result, limit: worker.limiter.limit, backlog: typeof BacklogFullError, entry, loaded }));
    `);
    const res = await run(process.execPath, [join(dir, 'app/main.mjs')]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { result: 42, limit: 1, backlog: 'function', entry: true, loaded: [] });
  });

  it('type-checks a TypeScript consumer against the emitted declarations', async () => {
    writeFileSync(join(dir, 'app/main.ts'), `
      import { createWorker, type Worker, type WorkerSettings } from 'costguard/worker';
      const worker: Worker = createWorker({ maxPending: 10 });
      const settings: WorkerSettings = worker.settings;
      const n: number = settings.perReplicaLimit + worker.limiter.activeCount;
      const breaker = worker.breaker('db', (id: string) => Promise.resolve(id.length));
      const length: Promise<number> = breaker.fire('x');
      // @ts-expect-error a breaker's arguments are typed
      void breaker.fire(42);
      void n; void length;
    `);
    const res = await run(process.execPath, [TSC, '--ignoreConfig', '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2024', '--skipLibCheck', '--types', 'node', join(dir, 'app/main.ts')]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
  });
});

describe('example SQS worker Deployment', () => {
  it('is accepted by the API server (dry run)', async () => {
    const ns = `sqs-worker-${Date.now()}`;
    const created = await testEnv().kubectl(['create', 'namespace', ns]);
    assert.equal(created.code, 0, created.stderr);
    const res = await testEnv().kubectl(['apply', '--dry-run=server', '-n', ns, '-f', join(repoRoot, 'examples/sqs-worker/deployment.yaml')]);
    assert.equal(res.code, 0, res.stderr);
  });
});
