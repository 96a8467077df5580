// What integration tests see of the local environment the root hook started.
import { KubeConfig } from '@kubernetes/client-node';
import { assets, run, type CommandResult, type LocalEnv } from '../../hack/localenv/index.ts';
import type { ControlPlane, MotoServer } from '../../hack/localenv/index.ts';

export type { CommandResult };
export { run };

export interface TestEnv {
  kubeconfigPath: string;
  /** Admin credentials (system:masters). */
  kubeConfig: KubeConfig;
  awsEndpoint: string;
  controlPlane: ControlPlane;
  moto: MotoServer;
  kubectl(args: string[], opts?: { input?: string }): Promise<CommandResult>;
  resetAws(): Promise<void>;
}

let current: TestEnv | undefined;

export function testEnv(): TestEnv {
  if (!current) throw new Error('the test environment is not running: run integration tests with test/integration/.mocharc.json');
  return current;
}

export function bindTestEnv(local: LocalEnv | undefined): void {
  if (!local) {
    current = undefined;
    return;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(local.controlPlane.kubeconfigPath);
  const kubectlBin = assets.kubectl();
  current = {
    kubeconfigPath: local.controlPlane.kubeconfigPath,
    kubeConfig,
    awsEndpoint: local.moto.endpoint,
    controlPlane: local.controlPlane,
    moto: local.moto,
    kubectl: (args, opts = {}) => run(kubectlBin, ['--kubeconfig', local.controlPlane.kubeconfigPath, ...args], opts),
    resetAws: () => local.moto.reset(),
  };
}
