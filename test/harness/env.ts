// What integration tests see of the local environment the root hook started.
import { execFile } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { assets, type LocalEnv } from '../../hack/localenv/index.ts';
import type { ControlPlane, MotoServer } from '../../hack/localenv/index.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

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

export function run(command: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
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
