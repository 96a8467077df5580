// `make demo`: CostGuard's main job on the embedded default — a local kube-apiserver + etcd
// and moto as AWS, no account needed. It creates Auto Scaling groups (one far over its
// ceiling), a Deployment and HPA, applies the example guards, runs the operator, and narrates
// the clamps, a drift revert and CeilingReached as they happen, then prints a summary.
// Ctrl-C stops everything and removes the temporary folder, so a second run starts clean.
// `--once` exits after the summary (the tests run it that way).
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { assets, repoRoot, startLocalEnv, type LocalEnv } from '../localenv/index.ts';
import { startOperator, type RunningOperator } from '../../src/cli/operator.ts';
import { parseConfig } from '../../src/runtime/config.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { RestClient } from '../../src/runtime/kube/rest.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { createDemoGroups, DEMO_GROUPS, raiseMaxSize, readDemoGroup } from './aws.ts';
import { Narrator } from './narrate.ts';
import { WORKLOADS_YAML } from './workloads.ts';

const NAMESPACE = 'costguard-demo';
const once = process.argv.includes('--once');
const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function until(what: string, check: () => Promise<boolean>, narrator: Narrator, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    await narrator.tick();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(250);
  }
  await narrator.tick();
}

async function prepare(env: LocalEnv): Promise<Map<string, { maxSize?: number; desired?: number }>> {
  say(`==> local API server ${env.controlPlane.apiServerUrl}, AWS emulator ${env.moto.endpoint}`);
  await env.installCostGuardCrd();
  await env.kubectl(['create', 'namespace', NAMESPACE]);
  await env.kubectl(['apply', '-n', NAMESPACE, '-f', '-'], WORKLOADS_YAML);
  await createDemoGroups();
  const before = new Map(await Promise.all(DEMO_GROUPS.map(async (g) => [g.name, await readDemoGroup(g)] as const)));
  say('==> AWS Auto Scaling groups (moto), before CostGuard:');
  for (const g of DEMO_GROUPS) say(`      ${g.name.padEnd(20)} ${g.region}  MaxSize ${String(g.maxSize).padStart(3)}  desired ${String(g.desired).padStart(3)}  ${JSON.stringify(g.tags ?? {})}`);
  say('==> Deployment orders-worker (replicas 45) and HPA orders-worker (maxReplicas 100)');
  return before;
}

function operatorConfig() {
  const argv = [`--namespaces=${NAMESPACE}`, '--leader-elect=false', '--metrics-bind-address=0', '--health-probe-bind-address=0', '--resync-period=2s', '--log-level=warn'];
  return parseConfig(argv, {}, { hostname: 'demo' }).config;
}

async function scenario(env: LocalEnv, narrator: Narrator): Promise<void> {
  say('==> kubectl apply -f examples/orders-worker-guard.yaml -f examples/dryrun-audit-guard.yaml');
  for (const file of ['orders-worker-guard.yaml', 'dryrun-audit-guard.yaml']) {
    await env.kubectl(['apply', '--server-side', '-n', NAMESPACE, '-f', join(repoRoot, 'examples', file)]);
  }
  const orders = DEMO_GROUPS[0]!;
  await until('the orders-worker clamp', async () => (await readDemoGroup(orders)).maxSize === 20, narrator);
  await until('the audit report', async () => (await env.kubectl(['get', 'costguard', 'prod-asg-audit', '-n', NAMESPACE, '-o', 'jsonpath={.status.observedGeneration}'])) !== '', narrator);
  say(`==> someone raises ${orders.name} MaxSize to 60 in the console "just for tonight"`);
  await raiseMaxSize(orders.name, orders.region, 60);
  await until('the drift revert', async () => (await readDemoGroup(orders)).maxSize === 20, narrator);
  await delay(1500);
  await narrator.tick();
}

async function summary(env: LocalEnv, before: Map<string, { maxSize?: number; desired?: number }>): Promise<void> {
  say('\n==> summary: Auto Scaling groups, before → after');
  for (const g of DEMO_GROUPS) {
    const b = before.get(g.name)!;
    const a = await readDemoGroup(g);
    const changed = a.maxSize !== b.maxSize || a.desired !== b.desired ? 'clamped' : 'unchanged';
    say(`      ${g.name.padEnd(20)} MaxSize ${b.maxSize} → ${a.maxSize}, desired ${b.desired} → ${a.desired}  (${changed})`);
  }
  const replicas = await env.kubectl(['get', 'deployment', 'orders-worker', '-n', NAMESPACE, '-o', 'jsonpath={.spec.replicas}']);
  const hpaMax = await env.kubectl(['get', 'hpa', 'orders-worker', '-n', NAMESPACE, '-o', 'jsonpath={.spec.maxReplicas}']);
  say(`      Deployment orders-worker replicas 45 → ${replicas}; HPA orders-worker maxReplicas 100 → ${hpaMax}`);
  say('\n==> kubectl get costguards -A');
  say(await env.kubectl(['get', 'costguards', '-A']));
}

async function waitForInterrupt(env: LocalEnv, narrator: Narrator): Promise<void> {
  say(`The operator keeps running. In another shell:\n  export KUBECONFIG=${env.controlPlane.kubeconfigPath}`);
  say(`  ${assets.kubectl()} describe costguard orders-worker -n ${NAMESPACE}\nCtrl-C stops everything and removes it.`);
  let stop = false;
  const onSignal = (): void => void (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  while (!stop) {
    await narrator.tick().catch(() => 0);
    await delay(500);
  }
}

async function main(): Promise<void> {
  const env = await startLocalEnv();
  let operator: RunningOperator | undefined;
  try {
    Object.assign(process.env, env.env);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(env.controlPlane.kubeconfigPath);
    const narrator = new Narrator(new RestClient(kubeConfig), NAMESPACE);
    const before = await prepare(env);
    say('==> starting the CostGuard operator (resync every 2s)');
    operator = await startOperator({ config: operatorConfig(), kubeConfig, defaultRegion: 'us-east-1', log: createLogger('warn') });
    await scenario(env, narrator);
    await summary(env, before);
    if (!once) await waitForInterrupt(env, narrator);
    say('demo: ok');
  } finally {
    say('==> stopping the operator and the local environment');
    await operator?.stop();
    await env.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
