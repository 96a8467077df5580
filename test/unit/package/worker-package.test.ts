// packages/worker is @costguard/worker: the library a worker fleet installs without the operator.
// Its dependencies are exactly what src/worker imports, pinned as the root package pins them,
// and its build takes src/worker and nothing else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { filesUnder, imports, packageOf } from '../../support/import-graph.ts';

interface Pkg {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports: Record<string, Record<string, string>>;
  scripts: Record<string, string>;
}
const read = (file: string): Pkg => JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as Pkg;
const worker = read('packages/worker/package.json');
const root = read('package.json');

describe('packages/worker (@costguard/worker)', () => {
  it('depends on exactly the packages src/worker imports', () => {
    const used = new Set(filesUnder(join(repoRoot, 'src/worker'), (n) => n.endsWith('.ts')).flatMap((f) => imports(readFileSync(f, 'utf8')).map((i) => i.specifier)).filter((s) => !s.startsWith('.') && !s.startsWith('node:')).map(packageOf));
    assert.deepEqual(Object.keys(worker.dependencies).sort(), [...used].sort());
    assert.deepEqual(Object.keys(worker.dependencies).sort(), ['opossum', 'p-limit', 'prom-client']);
  });

  it('pins each dependency at the version the root package (and its lock) tests', () => {
    for (const [name, version] of Object.entries(worker.dependencies)) assert.equal(version, root.dependencies[name], name);
  });

  it('has the root package version and builds dist/ when packed', () => {
    assert.equal(worker.version, root.version);
    assert.equal(worker.scripts.prepack, 'npm run build');
    // prepare, not prepack: npm runs prepare for pack and publish and also when it installs a
    // git URL (it runs no prepack there), so `npm install github:…` gets a built dist/ too.
    assert.equal(root.scripts.prepare, 'npm run build');
    assert.deepEqual(worker.exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('builds src/worker into its own dist/', () => {
    const ts = JSON.parse(readFileSync(join(repoRoot, 'packages/worker/tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { rootDir: string; outDir: string }; include: string[] };
    assert.equal(ts.compilerOptions.rootDir, '../../src/worker');
    assert.equal(ts.compilerOptions.outDir, 'dist');
    assert.deepEqual(ts.include, ['../../src/worker']);
  });
});
