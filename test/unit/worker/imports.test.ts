// The worker library is a separate product: an application that imports costguard/worker
// must not load the operator's Kubernetes or AWS clients, nor anything else of the
// operator. This walks the import graph from the library's entry point.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { specifiers, walk } from '../../support/import-graph.ts';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const libraryDir = join(root, 'src/worker');
const ALLOWED_PACKAGES = new Set(['p-limit', 'opossum', 'prom-client']);

describe('worker library import graph', () => {
  const graph = walk(join(libraryDir, 'index.ts'));

  it('finds the modules it walks (the scan itself works)', () => {
    assert.ok(graph.files.length >= 8, `walked ${graph.files.length} files`);
    assert.ok(graph.packages.has('p-limit') && graph.packages.has('opossum') && graph.packages.has('prom-client'));
  });

  it('never leaves src/worker/', () => {
    const outside = graph.files.map((f) => relative(libraryDir, f)).filter((f) => f.startsWith('..'));
    assert.deepEqual(outside, []);
  });

  it('imports only p-limit, opossum, prom-client and node: built-ins', () => {
    const others = [...graph.packages].filter((p) => !p.startsWith('node:') && !ALLOWED_PACKAGES.has(p));
    assert.deepEqual(others, [], 'no @kubernetes/*, @aws-sdk/*, pino or other package');
  });

  it('each package it imports is a declared dependency', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const p of ALLOWED_PACKAGES) assert.ok(pkg.dependencies[p], p);
  });

  it('would catch an operator import (the check is not vacuous)', () => {
    assert.deepEqual(specifiers("import { x } from '../runtime/clock.ts';\nimport type { Y } from '@aws-sdk/client-sqs';\nconst z = await import('@kubernetes/client-node');"), ['../runtime/clock.ts', '@aws-sdk/client-sqs', '@kubernetes/client-node']);
  });
});
