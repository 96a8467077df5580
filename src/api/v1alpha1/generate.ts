// Writes the generated artefacts of the API: the CRD (twice: crds/ for kubectl, the chart's
// crds/ for Helm) and docs/crd-reference.md. Run by `make generate`; `make verify` fails when
// the committed files differ, so the schema in this folder stays the one source of truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGeneratedFiles } from './render.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

for (const [path, content] of Object.entries(renderGeneratedFiles())) {
  const file = join(repoRoot, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${path}`);
}
