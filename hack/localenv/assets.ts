// Where the local environment's binaries live: KUBEBUILDER_ASSETS (an existing envtest
// folder) wins for kube-apiserver and etcd; otherwise the ones `make testenv` built.
import { existsSync, readFileSync } from 'node:fs';
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
  // The AWS CLI (`make awscli`), whose JSON output a history test reads back.
  aws: (): string => locate('aws', [join(repoRoot, '.tools', 'venv', 'bin')], 'awscli'),
  // Built by `make prometheus` from the Go module pinned in hack/prometheus.
  prometheus: (): string => locate('prometheus', [toolsBin], 'prometheus'),
  promtool: (): string => locate('promtool', [toolsBin], 'prometheus'),
};

/** The peer versions pinned in hack/peer-crds/versions.mk (one source for the Makefile and the tests). */
function peerVersions(): { karpenter: string; keda: string } {
  const text = readFileSync(join(repoRoot, 'hack', 'peer-crds', 'versions.mk'), 'utf8');
  const version = (name: string): string => {
    const found = new RegExp(`^${name}\\s*:=\\s*(\\S+)`, 'm').exec(text)?.[1];
    if (!found) throw new Error(`${name} missing from hack/peer-crds/versions.mk`);
    return found;
  };
  return { karpenter: version('KARPENTER_VERSION'), keda: version('KEDA_VERSION') };
}

/** Karpenter's NodePool and NodeClaim CRDs and KEDA's ScaledObject and ScaledJob CRDs, as `make peer-crds` fetched them. */
export function peerCrdFiles(): string[] {
  const { karpenter, keda } = peerVersions();
  const karpenterDir = join(repoRoot, '.tools', 'crds', `karpenter-${karpenter}`);
  const kedaDir = join(repoRoot, '.tools', 'crds', `keda-${keda}`);
  return [
    locate('karpenter.sh_nodepools.yaml', [karpenterDir]),
    locate('karpenter.sh_nodeclaims.yaml', [karpenterDir]),
    locate('keda.sh_scaledobjects.yaml', [kedaDir]),
    locate('keda.sh_scaledjobs.yaml', [kedaDir]),
  ];
}
