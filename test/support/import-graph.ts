// Reads the import graph of TypeScript sources without loading them: the module specifiers of
// a file, and the files and packages reachable from an entry point over relative imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ImportRef {
  specifier: string;
  /** `import type … from` / `export type … from`: erased when the file runs, loads nothing. */
  typeOnly: boolean;
}

/** Every import of a TypeScript source: static, re-export, type-only, side-effect and dynamic. */
export function imports(source: string): ImportRef[] {
  const found: ImportRef[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\s([^'"]*?)\sfrom\s+['"]([^'"]+)['"]/g)) found.push({ specifier: m[2]!, typeOnly: /^type\s/.test(m[1]!) });
  for (const pattern of [/\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of source.matchAll(pattern)) found.push({ specifier: m[1]!, typeOnly: false });
  }
  return found;
}

/** Every module specifier in a TypeScript source, type-only ones included. */
export function specifiers(source: string): string[] {
  return imports(source).map((i) => i.specifier);
}

/** `@scope/name/dist/x.js` → `@scope/name`; `yaml` → `yaml`; `node:fs` stays. */
export function packageOf(specifier: string): string {
  return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
}

export interface ImportGraph {
  files: string[];
  /** Package names (`@aws-sdk/client-sts`, `yaml`) reached. */
  packages: Set<string>;
  /** Package specifiers as written (deep paths kept). */
  specifiers: Set<string>;
}

/**
 * Follows relative imports from `entry`; collects every package specifier on the way. With
 * `valuesOnly`, type-only imports are neither followed nor collected: what is left is what
 * running `entry` loads.
 */
export function walk(entry: string, options: { valuesOnly?: boolean } = {}): ImportGraph {
  const graph: ImportGraph = { files: [], packages: new Set(), specifiers: new Set() };
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.files.includes(file)) continue;
    graph.files.push(file);
    for (const { specifier, typeOnly } of imports(readFileSync(file, 'utf8'))) {
      if (typeOnly && options.valuesOnly) continue;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else (graph.packages.add(packageOf(specifier)), graph.specifiers.add(specifier));
    }
  }
  return graph;
}

/** Files under `dir` (recursively) whose name passes `keep`; node_modules and dot-folders skipped. */
export function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path, keep) : keep(e.name) ? [path] : [];
  });
}
