// `make sandbox` as a user gets it, started the same way (startSandbox) without Ctrl-C: every file
// in examples/ is applied there and reaches the state its comment promises. A new example
// without an expectation here fails the first test.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { repoRoot, run } from '../../../hack/localenv/index.ts';
import { startSandbox, type Sandbox } from '../../../hack/sandbox/sandbox.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { poll } from '../../support/poll.ts';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('make sandbox', function () {
  this.timeout(180_000);
  let sandbox: Sandbox;
  let dir: string;

  const kubectl = async (...args: string[]): Promise<string> => {
    const res = await run(join(repoRoot, '.tools/bin/kubectl'), ['--kubeconfig', sandbox.kubeconfigPath, ...args]);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };
  const guard = async (name: string): Promise<CostGuard> => JSON.parse(await kubectl('get', 'costguard', name, '-o', 'json')) as CostGuard;
  const conditionOf = (g: CostGuard, type: string): Condition | undefined => (g.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
  const waitFor = (name: string, type: string, want: (c: Condition) => boolean): Promise<Condition> =>
    poll(`${name} ${type}`, async () => {
      const c = conditionOf(await guard(name), type);
      return c && want(c) ? c : undefined;
    }, 90_000, 500);
  const groups = async (region: string): Promise<Record<string, number>> => {
    const asg = new AutoScalingClient({ region, endpoint: sandbox.env.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const out = await asg.send(new DescribeAutoScalingGroupsCommand({}));
      return Object.fromEntries((out.AutoScalingGroups ?? []).map((g) => [g.AutoScalingGroupName!, g.MaxSize!]));
    } finally {
      asg.destroy();
    }
  };

  /** What each example's comment promises, checked once it is applied. */
  const EXPECT: Record<string, () => Promise<void>> = {
    // DryRun: reports which groups run above the ceilings and what they would cost, touches nothing.
    'dryrun-audit-guard.yaml': async () => {
      const c = await waitFor('prod-asg-audit', 'CeilingsEnforced', (x) => x.reason === 'DryRun');
      assert.equal(c.status, 'False');
      assert.match(c.message, /would clamp asg\/ingest-prod, asg\/payments-prod/);
      assert.doesNotMatch(c.message, /search-prod/, 'search runs below its ceiling');
      const g = await poll('worst-case cost', async () => ((await guard('prod-asg-audit')).status?.cost?.worstCaseHourly ? guard('prod-asg-audit') : undefined), 60_000, 500);
      assert.ok(Number(g.status?.cost?.worstCaseHourly) > 0);
      assert.deepEqual(await groups('eu-west-1'), { 'payments-prod': 60, 'search-prod': 12, 'ingest-prod': 30 }, 'DryRun changes nothing');
    },
    // Enforce: the NodePools' limits and the ScaledObject are capped.
    'karpenter-nodepool-guard.yaml': async () => {
      await waitFor('batch-capacity', 'CeilingsEnforced', (x) => x.status === 'True');
      const pools = JSON.parse(await kubectl('get', 'nodepools', '-o', 'json')) as { items: { metadata: { name: string }; spec: { limits: Record<string, string> } }[] };
      const limits = Object.fromEntries(pools.items.map((p) => [p.metadata.name, p.spec.limits]));
      assert.deepEqual(limits, { batch: { cpu: '128', memory: '512Gi', nodes: '16' }, default: { cpu: '400', memory: '1600Gi' } });
      assert.equal((await kubectl('get', 'scaledobject', 'batch-consumer', '-o', 'jsonpath={.spec.maxReplicaCount}')).trim(), '60');
      const alerts = await waitFor('batch-capacity', 'AlertsReady', (x) => x.status === 'True');
      assert.equal(alerts.reason, 'SlackReady');
    },
    // Enforce with every section: each reports whether it is acted on, and says why when not.
    'orders-worker-guard.yaml': async () => {
      await waitFor('orders-worker', 'CeilingsEnforced', (x) => x.status === 'True');
      assert.ok((await groups('us-east-1'))['orders-worker-asg']! <= 20, 'the group is clamped to its ceiling');
      assert.equal((await kubectl('get', 'deployment', 'orders-worker', '-o', 'jsonpath={.spec.replicas}')).trim(), '30');
      assert.equal((await kubectl('get', 'hpa', 'orders-worker', '-o', 'jsonpath={.spec.maxReplicas}')).trim(), '30');
      assert.equal((await waitFor('orders-worker', 'ConcurrencyPublished', (x) => x.status === 'True')).reason, 'Published');
      assert.equal((await waitFor('orders-worker', 'AlertsReady', (x) => x.status === 'True')).reason, 'SlackReady');
      await waitFor('orders-worker', 'CostTracked', (x) => x.status === 'True');
      for (const type of ['CeilingsEnforced', 'ConcurrencyPublished', 'RunawayWatched', 'CostTracked', 'AlertsReady', 'Ready']) {
        const c = await waitFor('orders-worker', type, (x) => x.status !== 'Unknown');
        assert.ok(c.message.length > 0, `${type} says why`);
      }
    },
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costguard-sandbox-'));
    sandbox = await startSandbox({ dir, logLevel: 'silent' });
  });

  after(async () => {
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has an expectation for every file in examples/', () => {
    const files = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.yaml'));
    assert.deepEqual(files.sort(), Object.keys(EXPECT).sort());
  });

  it('writes a kubeconfig and an env file that point at the sandbox, and prints how to use them', () => {
    assert.ok(existsSync(sandbox.kubeconfigPath));
    const env = readFileSync(sandbox.envPath, 'utf8');
    assert.match(env, new RegExp(`export KUBECONFIG="${sandbox.kubeconfigPath}"`));
    assert.match(env, new RegExp(`export AWS_ENDPOINT_URL="${sandbox.env.moto.endpoint}"`));
    assert.match(sandbox.usage(), /source .*env/);
    assert.match(sandbox.usage(), /payments-prod/);
  });

  it('runs the operator as the leader, its Lease in costguard-system', async () => {
    const holder = await poll('the leader Lease', async () => (await kubectl('-n', 'costguard-system', 'get', 'lease', 'costguard-operator', '-o', 'jsonpath={.spec.holderIdentity}')).trim(), 30_000, 500);
    assert.match(holder, /sandbox/);
  });

  for (const file of Object.keys(EXPECT)) {
    it(`examples/${file} applies and reaches the state its comment promises`, async () => {
      await kubectl('apply', '-f', join(repoRoot, 'examples', file));
      await EXPECT[file]!();
    });
  }
});
