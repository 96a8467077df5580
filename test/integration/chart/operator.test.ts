// The installed chart runs the real operator: with the command line the Deployment renders and
// nothing but the ServiceAccount's own token (so only the chart's RBAC), `costguard operator`
// takes the release's Lease, syncs its informers, reports ready, clamps targets of every kind,
// restores them on delete, and is never forbidden.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, repoRoot } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';
import { chartDir, expectOk, helmCluster, removeHelmHome, render } from './helm.ts';
import { findOne, type Manifest } from './manifests.ts';
import { installCrds } from '../controllers/helpers.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { poll } from '../../support/poll.ts';

const TARGETS_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: w }
spec:
  replicas: 9
  selector: { matchLabels: { app: w } }
  template: { metadata: { labels: { app: w } }, spec: { containers: [ { name: w, image: example.com/w:1 } ] } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: w }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: w }, minReplicas: 1, maxReplicas: 50 }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: w }
spec: { scaleTargetRef: { name: w }, maxReplicaCount: 50, triggers: [ { type: aws-sqs-queue, metadata: { queueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/w", queueLength: "5" } } ] }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: w-jobs }
spec:
  maxReplicaCount: 50
  jobTargetRef: { template: { spec: { restartPolicy: Never, containers: [ { name: w, image: example.com/w:1 } ] } } }
  triggers: [ { type: aws-sqs-queue, metadata: { queueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/w", queueLength: "5" } } ]
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: POOL }
spec:
  limits: { cpu: "1000" }
  template: { spec: { nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }, requirements: [ { key: kubernetes.io/arch, operator: In, values: [amd64] } ] } }
`;

const GUARD_YAML = `
apiVersion: costguard.io/v1alpha1
kind: CostGuard
metadata: { name: all-kinds }
spec:
  mode: Enforce
  onDelete: Restore
  scalingGroups: [ { name: ASG, maxSize: 20 } ]
  nodePools: [ { name: POOL, limits: { cpu: "100" } } ]
  workloads:
    - { kind: Deployment, name: w, maxReplicas: 5 }
    - { kind: HorizontalPodAutoscaler, name: w, maxReplicas: 5 }
    - { kind: ScaledObject, name: w, maxReplicas: 5 }
    - { kind: ScaledJob, name: w-jobs, maxReplicas: 5 }
`;

const SLACK_GUARD_YAML = `
apiVersion: costguard.io/v1alpha1
kind: CostGuard
metadata: { name: slack }
spec:
  workloads: [ { kind: Deployment, name: w, maxReplicas: 5 } ]
  alerts: { slack: { webhookSecretRef: { name: slack-webhook, key: url } } }
`;

interface Kubeconfig {
  users: { name: string; user: Record<string, string> }[];
}

/** The admin kubeconfig with its client certificate swapped for a bearer token. */
function tokenKubeconfig(token: string): string {
  const config = parse(readFileSync(testEnv().kubeconfigPath, 'utf8')) as Kubeconfig;
  for (const u of config.users) u.user = { token };
  return stringify(config);
}

/** Until `probe` gives a value; a failing probe (the peer not up yet) counts as not yet. */
const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<NonNullable<T>> => poll(what, probe, 30_000, 250);

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('Helm chart: the operator runs with the chart\'s flags and RBAC only', function () {
  this.timeout(120_000);
  const suffix = randomUUID().slice(0, 6);
  const release = `op-${suffix}`;
  const ns = `chart-operator-${suffix}`;
  const watched = `chart-guarded-${suffix}`;
  const fullname = `${release}-costguard`;
  let dir = '';
  let operator: ChildProcess | undefined;
  let output = '';
  let healthPort = 0;
  let metricsPort = 0;

  before(async () => {
    // The KEDA and Karpenter fixture CRDs, so the operator's informers for them run too.
    await installCrds();
    dir = mkdtempSync(join(tmpdir(), 'costguard-chart-operator-'));
    expectOk(await testEnv().kubectl(['create', 'namespace', watched]), 'create namespace');
    // Watch one fresh namespace only, so the operator never touches other suites' objects.
    const values = ['--set', `watchNamespaces={${watched}}`, '--set', 'aws.region=us-east-1'];
    expectOk(await helmCluster(['install', release, chartDir, '-n', ns, '--create-namespace', ...values]), 'helm install');
    const token = expectOk(await testEnv().kubectl(['create', 'token', fullname, '-n', ns, '--duration=1h']), 'create token').trim();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, tokenKubeconfig(token), { mode: 0o600 });

    const deployment = findOne(await render({ release, namespace: ns, args: values }), 'Deployment') as Manifest & {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const args = (deployment.spec.template.spec.containers[0]?.args ?? []).map((a) => a.replace('$(POD_NAMESPACE)', ns));
    [healthPort, metricsPort] = await Promise.all([freePort(), freePort()]);
    // The chart's :8080 and :8081 are the pod's own ports; here the operator shares a host.
    const ports = [`--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${healthPort}`];
    const env = { ...process.env, KUBECONFIG: kubeconfig, POD_NAME: `${fullname}-0`, POD_NAMESPACE: ns, AWS_REGION: 'us-east-1' };
    operator = spawn(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), ...args, ...ports], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    operator.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    operator.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  });

  after(async () => {
    if (operator && operator.exitCode === null) {
      const exited = new Promise((resolve) => operator?.once('exit', resolve));
      operator.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (operator.exitCode === null) operator.kill('SIGKILL');
    }
    await helmCluster(['uninstall', release, '-n', ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    removeHelmHome();
  });

  function expectRunning(): void {
    assert.equal(operator?.exitCode, null, `the operator exited:\n${output}`);
  }

  it('takes the release\'s Lease in the release namespace', async () => {
    const holder = await until('the Lease', async () => {
      expectRunning();
      const res = await testEnv().kubectl(['get', 'lease', fullname, '-n', ns, '-o', 'jsonpath={.spec.holderIdentity}']);
      return res.code === 0 && res.stdout.startsWith(`${fullname}-0`) ? res.stdout : undefined;
    });
    assert.ok(holder.startsWith(`${fullname}-0`), holder);
  });

  it('reports ready on /readyz and leader on /metrics', async () => {
    await until('/readyz 200', async () => {
      expectRunning();
      return (await httpGet(`http://127.0.0.1:${healthPort}/readyz`)).status === 200 ? true : undefined;
    });
    assert.equal((await httpGet(`http://127.0.0.1:${healthPort}/healthz`)).status, 200);
    const metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.match(metrics.body, /^costguard_leader 1$/m);
  });

  it('exercises the ceilings controller on every target kind, and Restore on delete', async () => {
    const asg = `${watched}-asg`;
    const aws = directClient();
    await createGroups(aws, [{ name: asg, maxSize: 40, desired: 30 }]);
    const kubectl = async (args: string[], input?: string): Promise<void> => void expectOk(await testEnv().kubectl(args, input === undefined ? {} : { input }), args.join(' '));
    await kubectl(['apply', '-n', watched, '-f', '-'], TARGETS_YAML.replaceAll('POOL', `${watched}-pool`));
    await kubectl(['apply', '-n', watched, '-f', '-'], GUARD_YAML.replaceAll('ASG', asg).replaceAll('POOL', `${watched}-pool`));
    await until('CeilingsEnforced=True', async () => {
      expectRunning();
      const res = await testEnv().kubectl(['get', 'costguard', 'all-kinds', '-n', watched, '-o', 'jsonpath={.status.conditions[?(@.type=="CeilingsEnforced")].status}']);
      return res.stdout === 'True' ? true : undefined;
    });
    assert.equal((await readGroup(aws, asg))?.MaxSize, 20);
    const field = async (kind: string, name: string, path: string, ns = watched): Promise<string> =>
      (await testEnv().kubectl(['get', kind, name, ...(ns ? ['-n', ns] : []), '-o', `jsonpath={${path}}`])).stdout;
    assert.equal(await field('deployment', 'w', '.spec.replicas'), '5');
    assert.equal(await field('hpa', 'w', '.spec.maxReplicas'), '5');
    assert.equal(await field('scaledobject', 'w', '.spec.maxReplicaCount'), '5');
    assert.equal(await field('scaledjob', 'w-jobs', '.spec.maxReplicaCount'), '5');
    assert.equal(await field('nodepool', `${watched}-pool`, '.spec.limits.cpu', ''), '100');
    await kubectl(['delete', 'costguard', 'all-kinds', '-n', watched, '--wait=true', '--timeout=60s']);
    assert.equal((await readGroup(aws, asg))?.MaxSize, 40, 'restored on delete');
    assert.equal(await field('hpa', 'w', '.spec.maxReplicas'), '50');
    assert.equal(await field('scaledjob', 'w-jobs', '.spec.maxReplicaCount'), '50');
    assert.equal(await field('deployment', 'w', '.spec.replicas'), '9', 'what CostGuard lowered it gives back');
  });

  it('publishes the worker ConfigMap and lists the workers\' pods for the fleet breaker view', async () => {
    const guard = `
apiVersion: costguard.io/v1alpha1
kind: CostGuard
metadata: { name: workers }
spec:
  mode: Enforce
  concurrency: { workload: { kind: Deployment, name: w }, fleetMax: 18, perReplicaMax: 4 }
  breaker: { fleetOpenPercent: 50 }
`;
    expectOk(await testEnv().kubectl(['apply', '-n', watched, '-f', '-'], { input: guard }), 'apply workers guard');
    const json = await until('the worker ConfigMap', async () => {
      expectRunning();
      const res = await testEnv().kubectl(['get', 'configmap', 'costguard-workers', '-n', watched, '-o', 'jsonpath={.data.worker\\.json}']);
      return res.code === 0 && res.stdout ? res.stdout : undefined;
    });
    // The guard above clamped Deployment w from 9 to 5 replicas, and its Restore gave the 9 back:
    // 9 replicas share 18, so 2 each (below perReplicaMax 4).
    const replicas = await testEnv().kubectl(['get', 'deployment', 'w', '-n', watched, '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(replicas.stdout, '9');
    assert.equal((JSON.parse(json) as { perReplicaLimit: number }).perReplicaLimit, 2, '9 replicas share 18');
    await until('BreakerOpen=False (no running pods)', async () => {
      expectRunning();
      const res = await testEnv().kubectl(['get', 'costguard', 'workers', '-n', watched, '-o', 'jsonpath={.status.conditions[?(@.type=="BreakerOpen")].reason}']);
      return res.stdout === 'FleetBreakerClosed' ? true : undefined;
    });
  });

  it('reads a Slack webhook Secret only where rbac.secretNamespaces allows it', async () => {
    const kubectl = async (args: string[], input?: string): Promise<void> => void expectOk(await testEnv().kubectl(args, input === undefined ? {} : { input }), args.join(' '));
    const alertsReady = async (): Promise<string> =>
      (await testEnv().kubectl(['get', 'costguard', 'slack', '-n', watched, '-o', 'jsonpath={.status.conditions[?(@.type=="AlertsReady")].reason}'])).stdout;
    await kubectl(['create', 'secret', 'generic', 'slack-webhook', '-n', watched, '--from-literal=url=https://hooks.slack.com/services/T0/B0/chart-test']);
    await kubectl(['apply', '-n', watched, '-f', '-'], SLACK_GUARD_YAML);
    await until('AlertsReady=SecretOutOfReach', async () => {
      expectRunning();
      return (await alertsReady()) === 'SecretOutOfReach' ? true : undefined;
    });
    const values = ['--set', `watchNamespaces={${watched}}`, '--set', 'aws.region=us-east-1', '--set', `rbac.secretNamespaces={${watched}}`];
    expectOk(await helmCluster(['upgrade', release, chartDir, '-n', ns, ...values]), 'helm upgrade');
    await until('AlertsReady=SlackReady', async () => {
      expectRunning();
      return (await alertsReady()) === 'SlackReady' ? true : undefined;
    });
    await kubectl(['delete', 'costguard', 'slack', '-n', watched, '--wait=true', '--timeout=60s']);
  });

  it('is never forbidden by the API server', () => {
    expectRunning();
    assert.doesNotMatch(output, /forbidden|\b403\b/i, output);
  });
});
