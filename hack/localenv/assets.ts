// Where the local environment's binaries live: KUBEBUILDER_ASSETS (an existing envtest
// folder) wins for kube-apiserver and etcd; otherwise the ones `make testenv` built.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
const toolsBin = join(repoRoot, '.tools', 'bin');

function locate(name: string, dirs: string[], target = 'testenv'): string {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found in ${dirs.join(', ')}: run \`make ${target}\` first`);
}

function controlPlaneDirs(): string[] {
  const assets = process.env.KUBEBUILDER_ASSETS;
  return assets ? [assets] : [toolsBin];
}

export const assets = {
  kubeApiServer: (): string => locate('kube-apiserver', controlPlaneDirs()),
  etcd: (): string => locate('etcd', controlPlaneDirs()),
  kubectl: (): string => locate('kubectl', [...controlPlaneDirs(), toolsBin]),
  helm: (): string => locate('helm', [toolsBin]),
  motoServer: (): string => locate('moto_server', [join(repoRoot, '.tools', 'venv', 'bin')]),
  // Built by `make prometheus` from the Go module pinned in hack/prometheus.
  prometheus: (): string => locate('prometheus', [toolsBin], 'prometheus'),
  promtool: (): string => locate('promtool', [toolsBin], 'prometheus'),
};
