// The sandbox as a function (`make sandbox` and its test both call it): the local API server
// (kube-apiserver + etcd), moto as AWS and the Slack sink, the CRDs, the seed of seed.ts, and
// the CostGuard operator in this process with its shipped defaults (leader election on, in
// costguard-system; resync 30 s). Writes DIR/kubeconfig and DIR/env so kubectl and the AWS CLI
// or SDK in another shell talk to the same cluster and the same moto.
import { KubeConfig } from '@kubernetes/client-node';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOperator, type RunningOperator } from '../../src/cli/operator.ts';
import { parseConfig } from '../../src/runtime/config.ts';
import { createLogger, type LogLevel } from '../../src/runtime/logger.ts';
import { freePort, SlackSink, startLocalEnv, waitEstablished, type LocalEnv } from '../localenv/index.ts';
import { extraCrds, SEED_GROUPS, SEED_QUEUES, seedAws, seedObjects } from './seed.ts';

/** The operator's default region (guards without spec.aws.region). */
export const SANDBOX_REGION = 'us-east-1';

export interface SandboxOptions {
  /** Where kubeconfig and env are written (created if missing). */
  dir: string;
  /** The operator's log level (its JSON lines go to stdout). */
  logLevel?: LogLevel;
}

export interface Sandbox {
  env: LocalEnv;
  sink: SlackSink;
  operator: RunningOperator;
  kubeconfigPath: string;
  envPath: string;
  metricsUrl: string;
  /** What to type in another shell, printed by `make sandbox`. */
  usage(): string;
  stop(): Promise<void>;
}

/** The shipped defaults (leader election on, resync 30 s) but metrics on a free local port. */
async function operatorConfig(): Promise<{ args: string[]; metricsUrl: string }> {
  const metricsPort = await freePort();
  const args = [`--metrics-bind-address=127.0.0.1:${metricsPort}`, '--health-probe-bind-address=0', '--leader-election-namespace=costguard-system'];
  return { args, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

function envFile(vars: Record<string, string>): string {
  return Object.entries(vars).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`).join('\n') + '\n';
}

/** The CRDs (CostGuard, and the Karpenter and KEDA stand-ins), then the cluster and AWS seed. */
async function seed(env: LocalEnv, webhookUrl: string): Promise<void> {
  await env.installCostGuardCrd();
  await env.kubectl(['apply', '--server-side', ...extraCrds().flatMap((f) => ['-f', f])]);
  await waitEstablished((args) => env.kubectl(args), ['nodepools.karpenter.sh', 'nodeclaims.karpenter.sh', 'scaledobjects.keda.sh', 'scaledjobs.keda.sh']);
  await env.kubectl(['apply', '-f', '-'], seedObjects(webhookUrl));
  await seedAws();
}

/** DIR/kubeconfig and DIR/env (owner-only: the kubeconfig holds the admin's client key). */
async function writeClientFiles(dir: string, env: LocalEnv, webhookUrl: string): Promise<{ kubeconfigPath: string; envPath: string }> {
  const kubeconfigPath = join(dir, 'kubeconfig');
  const envPath = join(dir, 'env');
  await copyFile(env.controlPlane.kubeconfigPath, kubeconfigPath);
  await writeFile(envPath, envFile({ ...env.env, KUBECONFIG: kubeconfigPath, SLACK_WEBHOOK_URL: webhookUrl }), { mode: 0o600 });
  return { kubeconfigPath, envPath };
}

export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  await mkdir(o.dir, { recursive: true });
  const env = await startLocalEnv();
  const sink = await new SlackSink().start();
  const saved = { ...process.env };
  const restoreEnv = (): void => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
  let operator: RunningOperator | undefined;
  try {
    Object.assign(process.env, env.env);
    await seed(env, sink.url);
    const { kubeconfigPath, envPath } = await writeClientFiles(o.dir, env, sink.url);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const { args, metricsUrl } = await operatorConfig();
    operator = await startOperator({ config: parseConfig(args, {}, { hostname: 'sandbox' }).config, kubeConfig, defaultRegion: SANDBOX_REGION, log: createLogger(o.logLevel ?? 'info') });
    const running = operator;
    return {
      env, sink, operator: running, kubeconfigPath, envPath, metricsUrl,
      usage: () => usageText(kubeconfigPath, envPath, metricsUrl, sink.url),
      async stop() {
        await running.stop().catch(() => undefined);
        await sink.stop();
        await env.stop();
        restoreEnv();
      },
    };
  } catch (err) {
    await operator?.stop().catch(() => undefined);
    await sink.stop();
    await env.stop();
    restoreEnv();
    throw err;
  }
}

function usageText(kubeconfig: string, envPath: string, metricsUrl: string, webhook: string): string {
  const groups = SEED_GROUPS.map((g) => `    ${g.region}  ${g.name}  MaxSize ${g.maxSize}  tags ${Object.entries(g.tags).map(([k, v]) => `${k}=${v}`).join(',')}`).join('\n');
  return `CostGuard sandbox is up: a local API server, moto (AWS), a Slack sink and the operator.

In another shell:
  source ${envPath}            # KUBECONFIG, AWS_ENDPOINT_URL, AWS_REGION, test credentials, SLACK_WEBHOOK_URL
  kubectl apply -f examples/orders-worker-guard.yaml
  kubectl describe costguard orders-worker
  aws autoscaling describe-auto-scaling-groups --query 'AutoScalingGroups[].[AutoScalingGroupName,MaxSize]'

Seeded Auto Scaling groups (moto):
${groups}
Seeded SQS queues (us-east-1): ${SEED_QUEUES.join(', ')}
Seeded in the cluster: Secret slack-webhook, Deployment and HPA orders-worker, ScaledObject
  batch-consumer (namespace default), NodePools default and batch.
Kubeconfig: ${kubeconfig}
Operator metrics: ${metricsUrl}
Slack messages go to the sink (${webhook}) and are printed here.
Ctrl-C stops everything.`;
}
