// Decisions are pure: a *decide*.ts file imports no Kubernetes or AWS client library (not even
// a type or a deep path), and nothing it loads when it runs does either, so it can be
// table-tested without a peer and never does I/O by accident. (Types reached further away,
// like the API's ObjectMeta, are erased before the code runs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { filesUnder, packageOf, specifiers, walk } from '../../support/import-graph.ts';

const isClientLibrary = (specifier: string): boolean => packageOf(specifier) === '@kubernetes/client-node' || specifier.startsWith('@aws-sdk/');
const decideFiles = filesUnder(join(repoRoot, 'src/controllers'), (name) => name.includes('decide') && name.endsWith('.ts'));

describe('decide files import no client library', () => {
  it('finds the decide files (the scan itself works)', () => {
    const names = decideFiles.map((f) => relative(repoRoot, f));
    for (const f of ['src/controllers/actuator/asg-decide.ts', 'src/controllers/actuator/nodepool-decide.ts', 'src/controllers/runaway/brake-decide.ts']) assert.ok(names.includes(f), f);
  });

  for (const file of decideFiles) {
    it(`${relative(repoRoot, file)}: none in the file, none loaded through its imports`, () => {
      assert.deepEqual(specifiers(readFileSync(file, 'utf8')).filter(isClientLibrary), [], 'imported by the file itself');
      const graph = walk(file, { valuesOnly: true });
      assert.deepEqual([...graph.specifiers].filter(isClientLibrary), [], `loaded through ${graph.files.map((f) => relative(repoRoot, f)).join(', ')}`);
    });
  }

  it('would catch a deep import, a type import and one loaded two files away (the check is not vacuous)', () => {
    assert.ok(specifiers("import type { V1ObjectMeta } from '@kubernetes/client-node';\nimport { Quantity } from '@kubernetes/client-node/dist/util.js';").every(isClientLibrary));
    const graph = walk(join(repoRoot, 'src/controllers/actuator/act.ts'), { valuesOnly: true });
    assert.ok([...graph.specifiers].some(isClientLibrary), [...graph.specifiers].join(', '));
  });
});
