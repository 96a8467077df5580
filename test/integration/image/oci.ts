// Reads the image that `make image` wrote, straight from its oci-archive (an OCI image layout
// in a tar): the manifest's digest, the config, and every file of every layer with its mode
// and owner. No container engine is involved, so what is checked is the artifact itself.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';

export const imageDir = join(repoRoot, 'dist', 'image');
export const archivePath = join(imageDir, 'costguard.oci.tar');

export interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export interface FileEntry {
  /** Absolute path in the image, without a trailing slash. */
  path: string;
  /** `-` file, `d` directory, `l` symlink, `h` hard link, `c`/`b` device. */
  type: string;
  /** Permission string as tar prints it, e.g. `rwxr-xr-x`. */
  perms: string;
  uid: number;
  gid: number;
}

export interface OciImage {
  manifestDigest: string;
  config: ImageConfig;
  files: Map<string, FileEntry>;
}

interface Descriptor {
  digest: string;
  mediaType: string;
}

/** Fails with what to run when the image was not built. */
export function requireArchive(): void {
  if (!existsSync(archivePath)) throw new Error(`${archivePath} is missing: run make image`);
}

async function tar(args: string[]): Promise<string> {
  const res = await run('tar', args);
  if (res.code !== 0) throw new Error(`tar ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

/** One line of `tar -tv --numeric-owner`: `drwxr-xr-x 0/0 0 2026-01-01 00:00 ./app/`. */
export function parseListing(line: string): FileEntry | undefined {
  const m = /^(\S)(\S{9})\s+(\d+)\/(\d+)\s+\S+\s+\S+\s+\S+\s+(.*)$/.exec(line);
  if (!m) return undefined;
  const [, type = '', perms = '', uid = '', gid = '', rest = ''] = m;
  const name = rest.replace(/ (->|link to) .*$/, '');
  const path = `/${name.replace(/^\.?\//, '')}`.replace(/\/$/, '') || '/';
  return { path, type, perms, uid: Number(uid), gid: Number(gid) };
}

function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', ...digest.split(':'));
}

async function listLayer(dir: string, layer: Descriptor): Promise<FileEntry[]> {
  const gzip = layer.mediaType.endsWith('+gzip') ? ['-z'] : [];
  const out = await tar(['-tv', '--numeric-owner', ...gzip, '-f', blobPath(dir, layer.digest)]);
  return out.split('\n').map(parseListing).filter((e): e is FileEntry => e !== undefined);
}

/** Unpacks the archive's index, manifest and config, and lists its layers in order. */
export async function readOciArchive(path = archivePath): Promise<OciImage> {
  const dir = mkdtempSync(join(tmpdir(), 'costguard-oci-'));
  try {
    await tar(['-xf', path, '-C', dir]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    if (index.manifests.length !== 1) throw new Error(`expected one manifest in ${path}, found ${index.manifests.length}`);
    const manifestDigest = index.manifests[0]?.digest ?? '';
    const manifestBytes = readFileSync(blobPath(dir, manifestDigest));
    const actual = `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`;
    if (actual !== manifestDigest) throw new Error(`manifest blob hashes to ${actual}, index says ${manifestDigest}`);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
    const { config } = JSON.parse(readFileSync(blobPath(dir, manifest.config.digest), 'utf8')) as { config: ImageConfig };
    const files = new Map<string, FileEntry>();
    for (const layer of manifest.layers) {
      for (const entry of await listLayer(dir, layer)) files.set(entry.path, entry);
    }
    return { manifestDigest, config, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Paths directly under `dir` (names only), from a file listing. */
export function childrenOf(files: Iterable<string>, dir: string): string[] {
  const prefix = `${dir.replace(/\/$/, '')}/`;
  const names = new Set<string>();
  for (const f of files) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0] ?? '');
  names.delete('');
  return [...names].sort();
}
