// The production packages `npm ci --omit=dev` installs from package-lock.json: what the
// image's /app/node_modules must hold, and its SBOM must list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';

interface LockEntry {
  version?: string;
  name?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  os?: string[];
  cpu?: string[];
}

export interface LockedPackage {
  /** Folder under the app, e.g. node_modules/@aws-sdk/core. */
  path: string;
  name: string;
  version: string;
}

/** Installed production packages, by folder; fails on entries whose install rules it does not model. */
export function productionPackages(): LockedPackage[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const entries = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
  for (const [path, e] of entries) {
    // Platform-specific or dev-and-optional packages would need npm's own rules: say so.
    if (e.os || e.cpu || e.devOptional || e.link) throw new Error(`${path}: lockfile entry needs npm's install rules, extend this helper`);
  }
  return entries
    .filter(([, e]) => !e.dev)
    .map(([path, e]) => ({ path, name: e.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: e.version ?? '' }))
    .sort((a, b) => a.path.localeCompare(b.path));
}
