// make image writes an SBOM of what is really in the image (syft reads the oci-archive): every
// pinned Debian package at its pinned version, every production npm package at its locked
// version, and the Node binary, in CycloneDX and SPDX.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { productionPackages } from './lockfile.ts';
import { imageDir, requireArchive } from './oci.ts';

interface Component {
  type: string;
  name: string;
  version?: string;
  purl?: string;
}

interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  metadata: { component?: { type: string; name: string; version?: string } };
  components?: Component[];
}

function pinnedDebianPackages(): string[] {
  const text = readFileSync(join(repoRoot, 'hack', 'image', 'debian-packages.txt'), 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).sort();
}

function purlType(c: Component): string {
  return /^pkg:([^/]+)\//.exec(c.purl ?? '')?.[1] ?? '';
}

describe('Image SBOM: make image lists the Debian and npm contents', () => {
  let bom: CycloneDx;

  before(() => {
    requireArchive();
    bom = JSON.parse(readFileSync(join(imageDir, 'costguard.cdx.json'), 'utf8')) as CycloneDx;
  });

  it('is a CycloneDX document about the costguard container image', () => {
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.match(bom.specVersion, /^1\.\d+$/);
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(bom.metadata.component && [bom.metadata.component.type, bom.metadata.component.name, bom.metadata.component.version], ['container', 'costguard', version]);
  });

  it('lists exactly the pinned Debian packages, at their pinned versions, as Debian 12 packages', () => {
    const debs = (bom.components ?? []).filter((c) => purlType(c) === 'deb');
    assert.deepEqual(debs.map((c) => `${c.name}=${c.version}`).sort(), pinnedDebianPackages());
    for (const c of debs) assert.match(c.purl ?? '', /^pkg:deb\/debian\/.*distro=debian-12/);
  });

  it('lists every production npm package at its locked version', () => {
    const npm = new Set((bom.components ?? []).filter((c) => purlType(c) === 'npm').map((c) => `${c.name}@${c.version}`));
    const missing = productionPackages().map((p) => `${p.name}@${p.version}`).filter((p) => !npm.has(p));
    assert.deepEqual(missing, []);
  });

  it('lists the Node binary at the project\'s Node version', () => {
    const nodeVersion = /^NODE_VERSION := (\S+)$/m.exec(readFileSync(join(repoRoot, 'Makefile'), 'utf8'))?.[1];
    assert.ok((bom.components ?? []).some((c) => c.purl === `pkg:generic/node@${nodeVersion}`), 'pkg:generic/node');
  });

  it('is written as SPDX too', () => {
    const spdx = JSON.parse(readFileSync(join(imageDir, 'costguard.spdx.json'), 'utf8')) as { spdxVersion: string; packages: { name: string; versionInfo?: string }[] };
    assert.match(spdx.spdxVersion, /^SPDX-2\./);
    assert.ok(spdx.packages.some((p) => p.name === 'libc6' && `libc6=${p.versionInfo}` === pinnedDebianPackages().find((d) => d.startsWith('libc6='))));
    assert.ok(spdx.packages.some((p) => p.name === '@kubernetes/client-node'));
  });
});
