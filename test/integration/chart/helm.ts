// Runs the real helm binary against the test API server, with its own cache/config/data
// folders so the test never reads or writes the user's Helm state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assets, repoRoot, run, type CommandResult } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';
import { parseManifests, type Manifest } from './manifests.ts';

export const chartDir = join(repoRoot, 'charts', 'costguard');
export const fullValues = join(import.meta.dirname, 'values-full.yaml');
export const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

let helmHome: string | undefined;

function helmEnv(): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'costguard-helm-'));
  return {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
}

/** Removes helm's folders (call once, after the suite). */
export function removeHelmHome(): void {
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
  helmHome = undefined;
}

/** helm with the given arguments; never throws. */
export function helm(args: string[]): Promise<CommandResult> {
  return run(assets.helm(), args, { env: helmEnv() });
}

/** helm against the test API server (--kubeconfig). */
export function helmCluster(args: string[]): Promise<CommandResult> {
  return helm([...args, '--kubeconfig', testEnv().kubeconfigPath]);
}

export function expectOk(res: CommandResult, what: string): string {
  if (res.code !== 0) throw new Error(`${what} failed (exit ${res.code}):\n${res.stderr}${res.stdout}`);
  return res.stdout;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Extra helm arguments: -f, --set, --include-crds, … */
  args?: string[];
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export async function renderText(opts: RenderOptions = {}): Promise<string> {
  const args = ['template', opts.release ?? 'costguard', chartDir, '--namespace', opts.namespace ?? 'costguard-system', ...(opts.args ?? [])];
  return expectOk(await helm(args), `helm ${args.join(' ')}`);
}

export async function render(opts: RenderOptions = {}): Promise<Manifest[]> {
  return parseManifests(await renderText(opts));
}
