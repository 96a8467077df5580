// The local environment: a real kube-apiserver + etcd and moto server, used by the
// integration tests and by `make demo`. Everything lives in one temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane } from './controlplane.ts';
import { MotoServer } from './moto.ts';
import { assets, repoRoot } from './assets.ts';
import { run } from './command.ts';

export { ControlPlane } from './controlplane.ts';
export { MotoServer } from './moto.ts';
export { PrometheusServer, type PromSample, type ScrapeJob } from './prometheus.ts';
export { assets, peerCrdFiles, repoRoot } from './assets.ts';
export { freePort } from './ports.ts';
export { run, type CommandResult } from './command.ts';
export { Answers, SlackSink, type ScriptedAnswer, type SinkRequest, type SlackPayload } from './slack-sink.ts';

export interface LocalEnv {
  dir: string;
  controlPlane: ControlPlane;
  moto: MotoServer;
  /** Environment variables that point clients (kubectl, the AWS SDK) at this environment. */
  env: Record<string, string>;
  /** kubectl as the admin; throws with its stderr when it fails. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Applies crds/ and waits until the CostGuard CRD is Established. */
  installCostGuardCrd(): Promise<void>;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
  logTails(lines?: number): string;
}

/**
 * Waits until the CRDs are Established. `kubectl wait` fails at once, instead of waiting, when
 * it reads a CRD the API server has not given a status yet (".status.conditions accessor
 * error"), so a failed wait is retried until the deadline.
 */
export async function waitEstablished(kubectl: (args: string[]) => Promise<string>, crds: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await kubectl(['wait', '--for=condition=Established', '--timeout=10s', ...crds.map((c) => `crd/${c}`)]);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export async function startLocalEnv(): Promise<LocalEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'costguard-env-'));
  const controlPlane = new ControlPlane(dir);
  const moto = new MotoServer(dir);
  try {
    await Promise.all([controlPlane.start(), moto.start()]);
  } catch (err) {
    await Promise.allSettled([controlPlane.stop(), moto.stop()]);
    throw err;
  }
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const res = await run(assets.kubectl(), ['--kubeconfig', controlPlane.kubeconfigPath, ...args], input === undefined ? {} : { input });
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${res.stderr}`);
    return res.stdout;
  };
  return {
    dir,
    kubectl,
    async installCostGuardCrd() {
      await kubectl(['apply', '--server-side', '-f', join(repoRoot, 'crds')]);
      await waitEstablished(kubectl, ['costguards.costguard.io']);
    },
    controlPlane,
    moto,
    env: { KUBECONFIG: controlPlane.kubeconfigPath, ...moto.awsEnv() },
    async stop(opts = {}) {
      await Promise.allSettled([controlPlane.stop(), moto.stop()]);
      if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
    },
    logTails: (lines = 30) => `${controlPlane.logTails(lines)}\n--- moto (last ${lines} lines) ---\n${moto.proc?.tail(lines) ?? ''}`,
  };
}
