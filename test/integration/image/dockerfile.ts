// What the Dockerfile's final stage declares, parsed from the file: the image contract that
// `make image` (hack/image/Containerfile) must reproduce for people who build with Docker.
// Only the instructions the Dockerfile uses are understood; anything else fails loudly.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';

export interface DockerfileContract {
  user: string;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  expose: string[];
  /** Absolute destinations of the final stage's COPY instructions. */
  copied: string[];
}

/** Joins continuation lines and drops comments and parser directives. */
export function instructions(text: string): string[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  return lines.join('\n').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean);
}

/** `KEY=value KEY2="quoted value"` pairs, as ENV writes them. */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const [, key = '', raw = ''] = m;
    env[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return env;
}

function finalStage(lines: string[]): string[] {
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from[from.length - 1] ?? 0);
}

function copyDestination(args: string, workdir: string): string {
  const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
  const dest = words[words.length - 1] ?? '';
  const sources = words.slice(0, -1);
  // `COPY package.json ./` copies the file into the folder: name the file itself.
  const target = dest.endsWith('/') && sources.length === 1 && !sources[0]?.endsWith('/') ? posix.join(dest, posix.basename(sources[0] ?? '')) : dest;
  return posix.resolve(workdir, target).replace(/\/$/, '');
}

export function parseDockerfile(text: string): DockerfileContract {
  const contract: DockerfileContract = { user: '', workdir: '/', entrypoint: [], cmd: [], env: {}, expose: [], copied: [] };
  for (const line of finalStage(instructions(text))) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const k = keyword.toUpperCase();
    if (k === 'USER') contract.user = args;
    else if (k === 'WORKDIR') contract.workdir = posix.resolve(contract.workdir, args);
    else if (k === 'ENTRYPOINT') contract.entrypoint = JSON.parse(args) as string[];
    else if (k === 'CMD') contract.cmd = JSON.parse(args) as string[];
    else if (k === 'ENV') Object.assign(contract.env, parseEnv(args));
    else if (k === 'EXPOSE') contract.expose.push(...args.split(/\s+/));
    else if (k === 'COPY') contract.copied.push(copyDestination(args, contract.workdir));
    else if (!['FROM', 'ARG', 'LABEL', 'RUN'].includes(k)) throw new Error(`Dockerfile: ${k} is not understood by this parser`);
  }
  return contract;
}

export function readDockerfile(): DockerfileContract {
  return parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
}
