// `make demo`: CostGuard's main job on the embedded default — a local kube-apiserver + etcd
// and moto as AWS, no account needed. It installs the CRD, applies the examples and shows
// what Kubernetes now knows about them; Ctrl-C tears everything down, so a second run
// starts clean. `--once` exits after the walkthrough (used by the tests).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assets, repoRoot, run, startLocalEnv, type LocalEnv } from './localenv/index.ts';

const NAMESPACE = 'costguard-demo';
const once = process.argv.includes('--once');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function kubectl(env: LocalEnv, args: string[]): Promise<string> {
  const res = await run(assets.kubectl(), ['--kubeconfig', env.controlPlane.kubeconfigPath, ...args]);
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${res.stderr}`);
  return res.stdout;
}

async function walkthrough(env: LocalEnv): Promise<void> {
  say(`==> local API server ${env.controlPlane.apiServerUrl}, AWS emulator ${env.moto.endpoint}`);
  say('==> installing the CostGuard CRD');
  await kubectl(env, ['apply', '--server-side', '-f', join(repoRoot, 'crds')]);
  await kubectl(env, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/costguards.costguard.io']);
  await kubectl(env, ['create', 'namespace', NAMESPACE]);
  const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of examples) {
    say(`==> kubectl apply -f examples/${file}`);
    await kubectl(env, ['apply', '--server-side', '-n', NAMESPACE, '-f', join(repoRoot, 'examples', file)]);
  }
  say('==> kubectl get costguards -A');
  say(await kubectl(env, ['get', 'costguards', '-A']));
  say('==> kubectl explain costguard.spec.scalingGroups (first lines)');
  say((await kubectl(env, ['explain', 'costguard.spec.scalingGroups'])).split('\n').slice(0, 12).join('\n'));
}

async function waitForInterrupt(env: LocalEnv): Promise<void> {
  say(`\nThe environment stays up. In another shell:\n  export KUBECONFIG=${env.controlPlane.kubeconfigPath}`);
  say(`  ${assets.kubectl()} describe costguard -n ${NAMESPACE}\nCtrl-C stops it and removes everything.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function main(): Promise<void> {
  const env = await startLocalEnv();
  try {
    await walkthrough(env);
    if (!once) await waitForInterrupt(env);
    say('demo: ok');
  } finally {
    say('==> stopping the local environment');
    await env.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
