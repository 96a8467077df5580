// The image `make image` builds has the layout the Dockerfile declares (same entrypoint,
// command, user, working folder, environment, ports, and the same files under /app), runs as
// 65532 with no shell, holds exactly the pinned Debian packages, and its digest file names its
// manifest. Read from the oci-archive itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { readDockerfile, type DockerfileContract } from './dockerfile.ts';
import { productionPackages } from './lockfile.ts';
import { archivePath, childrenOf, readOciArchive, requireArchive, type OciImage } from './oci.ts';

const PACKAGE_ROOT = /^node_modules\/(?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*$/;

/** The package folders in the image: every /app/node_modules/…/<pkg> holding a package.json. */
function installedPackages(image: OciImage): string[] {
  const roots = [...image.files.keys()]
    .filter((f) => f.startsWith('/app/node_modules/') && f.endsWith('/package.json'))
    .map((f) => f.slice('/app/'.length, -'/package.json'.length))
    .filter((p) => PACKAGE_ROOT.test(p));
  return roots.sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

/** dist/ as `tsc -p tsconfig.build.json` emits it: .js, .js.map and .d.ts per source file. */
function expectedDist(): string[] {
  const sources = walk(join(repoRoot, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('generate.ts'));
  return sources.flatMap((f) => [f.replace(/\.ts$/, '.js'), f.replace(/\.ts$/, '.js.map'), f.replace(/\.ts$/, '.d.ts')]).map((f) => `dist/${f}`).sort();
}

function filesUnder(image: OciImage, dir: string): string[] {
  return [...image.files.values()]
    .filter((e) => e.path.startsWith(`${dir}/`) && e.type !== 'd')
    .map((e) => e.path.slice('/app/'.length))
    .sort();
}

function pinnedDebianPackages(): string[] {
  const text = readFileSync(join(repoRoot, 'hack', 'image', 'debian-packages.txt'), 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).sort();
}

describe('Image layout: make image and the Dockerfile build the same image', function () {
  this.timeout(120_000);
  let image: OciImage;
  let docker: DockerfileContract;

  before(async () => {
    requireArchive();
    image = await readOciArchive();
    docker = readDockerfile();
  });

  it('has the Dockerfile\'s entrypoint, command, user, working folder and ports', () => {
    assert.deepEqual(image.config.Entrypoint, docker.entrypoint);
    assert.deepEqual(image.config.Cmd, docker.cmd);
    assert.equal(image.config.User, docker.user);
    assert.equal(image.config.User, '65532:65532');
    assert.equal(image.config.WorkingDir, docker.workdir);
    assert.deepEqual(Object.keys(image.config.ExposedPorts ?? {}).sort(), docker.expose.map((p) => (p.includes('/') ? p : `${p}/tcp`)).sort());
  });

  it('sets the Dockerfile\'s environment (NODE_ENV, the V8 heap flags)', () => {
    const env = Object.fromEntries((image.config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    assert.ok(Object.keys(docker.env).length >= 2, 'the Dockerfile sets NODE_ENV and NODE_OPTIONS');
    for (const [key, value] of Object.entries(docker.env)) assert.equal(env[key], value, key);
  });

  it('has under /app exactly what the Dockerfile copies there', () => {
    const copied = docker.copied.filter((p) => p.startsWith(`${docker.workdir}/`)).map((p) => p.slice(docker.workdir.length + 1));
    assert.deepEqual(childrenOf(image.files.keys(), docker.workdir), copied.sort());
  });

  it('has dist/ compiled from every source file, crds/ and package.json from the repository', () => {
    assert.deepEqual(filesUnder(image, '/app/dist'), expectedDist());
    assert.deepEqual(filesUnder(image, '/app/crds'), walk(join(repoRoot, 'crds')).map((f) => `crds/${f}`).sort());
    assert.ok(image.files.has('/app/package.json'));
  });

  it('has in node_modules exactly the production packages of package-lock.json', () => {
    const expected = productionPackages().map((p) => p.path).sort();
    assert.ok(expected.length > 50, `${expected.length} production packages`);
    assert.deepEqual(installedPackages(image), expected);
  });

  it('keeps every file root-owned and not writable by the operator\'s user', () => {
    const writable = [...image.files.values()].filter((e) => e.uid !== 0 || e.gid !== 0 || (e.type !== 'l' && e.perms[7] === 'w' && e.path !== '/tmp'));
    assert.deepEqual(writable.map((e) => `${e.path} ${e.uid}:${e.gid} ${e.perms}`), []);
  });

  it('has no shell and no package manager', () => {
    const forbidden = /\/(sh|bash|dash|ash|zsh|busybox|apt|apt-get|dpkg|perl)$/;
    assert.deepEqual([...image.files.values()].filter((e) => e.type !== 'd' && forbidden.test(e.path)).map((e) => e.path), []);
    assert.ok(image.files.has('/usr/local/bin/node'));
  });

  it('records the pinned Debian packages for scanners in /var/lib/dpkg (versions: see the SBOM test)', () => {
    assert.ok(image.files.has('/var/lib/dpkg/status'));
    assert.deepEqual(
      [...image.files.keys()].filter((f) => f.startsWith('/var/lib/dpkg/info/') && f.endsWith('.list')).map((f) => f.slice('/var/lib/dpkg/info/'.length, -'.list'.length)).sort(),
      pinnedDebianPackages().map((p) => p.split('=')[0]).sort(),
    );
  });

  it('writes the manifest digest beside the archive', () => {
    assert.match(image.manifestDigest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(readFileSync(`${archivePath}.digest`, 'utf8').trim(), image.manifestDigest);
  });
});
