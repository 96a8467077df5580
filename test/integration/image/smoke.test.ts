// The built image runs: podman starts it from the oci-archive `make image` wrote, it prints the
// package version, and the operator inside it, started as the chart's Deployment starts it
// (its args and env, read-only root, a /tmp tmpfs, no capabilities) with nothing but the
// chart ServiceAccount's token mounted where a pod has it, takes the release's Lease, becomes
// ready, clamps an Auto Scaling group in moto, and exits 0 on SIGTERM, releasing the Lease.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, repoRoot } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';
import { chartDir, expectOk, helmCluster, removeHelmHome, render } from '../chart/helm.ts';
import { findOne, type Manifest } from '../chart/manifests.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { archivePath, requireArchive } from './oci.ts';
import { loadArchive, podman, podmanOk } from './podman.ts';
import { poll } from '../../support/poll.ts';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface Container {
  args: string[];
  env: EnvVar[];
}

/** Until `probe` gives a value; a failing probe (the peer not up yet) counts as not yet. */
const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<NonNullable<T>> => poll(what, probe, 60_000, 250);

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function makefileNodeVersion(): string {
  return /^NODE_VERSION := (\S+)$/m.exec(readFileSync(join(repoRoot, 'Makefile'), 'utf8'))?.[1] ?? '';
}

/** The API server's CA, from the admin kubeconfig the harness wrote. */
function apiServerCa(): string {
  const config = parse(readFileSync(testEnv().kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  return Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8');
}

/** What a pod finds in its service-account folder: token, ca.crt, namespace (readable by 65532). */
function serviceAccountDir(token: string, namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'costguard-image-sa-'));
  writeFileSync(join(dir, 'token'), token);
  writeFileSync(join(dir, 'ca.crt'), apiServerCa());
  writeFileSync(join(dir, 'namespace'), namespace);
  chmodSync(dir, 0o755);
  return dir;
}

/** The container's env as the kubelet would set it: fieldRefs resolved for one pod. */
function resolveEnv(env: EnvVar[], pod: { name: string; namespace: string }): string[] {
  const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace };
  return env.map((e) => `${e.name}=${e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ''] ?? ''}`);
}

describe('Image smoke test: podman runs the built image', function () {
  this.timeout(180_000);
  let imageId = '';

  before(async () => {
    requireArchive();
    imageId = await loadArchive(archivePath);
  });

  it('prints the package version', async () => {
    const out = await podmanOk(['run', '--rm', '--network', 'none', imageId, '--version']);
    assert.equal(out, `costguard ${packageVersion()}\n`);
  });

  it('runs the Node version the project builds with', async () => {
    const out = await podmanOk(['run', '--rm', '--network', 'none', '--entrypoint', 'node', imageId, '--version']);
    assert.equal(out.trim(), `v${makefileNodeVersion()}`);
  });

  it('has no shell to start', async () => {
    const res = await podman(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', imageId, '-c', 'true']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /executable file .*not found|no such file/i);
  });

  describe('the operator, with the chart\'s args and only a ServiceAccount token', () => {
    const suffix = randomUUID().slice(0, 6);
    const release = `img-${suffix}`;
    const ns = `image-operator-${suffix}`;
    const watched = `image-guarded-${suffix}`;
    const fullname = `${release}-costguard`;
    const container = `costguard-smoke-${suffix}`;
    let saDir = '';
    let healthPort = 0;
    let metricsPort = 0;

    before(async () => {
      const cluster = testEnv();
      expectOk(await cluster.kubectl(['create', 'namespace', watched]), 'create namespace');
      // Watch one fresh namespace only, so the operator never touches other suites' objects.
      const values = ['--set', `watchNamespaces={${watched}}`, '--set', 'aws.region=us-east-1'];
      expectOk(await helmCluster(['install', release, chartDir, '-n', ns, '--create-namespace', ...values]), 'helm install');
      const token = expectOk(await cluster.kubectl(['create', 'token', fullname, '-n', ns, '--duration=1h']), 'create token').trim();
      saDir = serviceAccountDir(token, ns);

      const deployment = findOne(await render({ release, namespace: ns, args: values }), 'Deployment') as Manifest & {
        spec: { template: { spec: { containers: Container[] } } };
      };
      const c = deployment.spec.template.spec.containers[0];
      assert.ok(c, 'the chart renders the operator container');
      const args = c.args.map((a) => a.replace('$(POD_NAMESPACE)', ns));
      [healthPort, metricsPort] = await Promise.all([freePort(), freePort()]);
      // The chart's :8080 and :8081 are the pod's own ports; here the container shares the host's.
      const ports = [`--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${healthPort}`];
      const api = new URL(cluster.controlPlane.apiServerUrl);
      const containerEnv = [
        ...resolveEnv(c.env, { name: `${fullname}-0`, namespace: ns }),
        // What the kubelet adds to every pod, and moto in place of AWS.
        `KUBERNETES_SERVICE_HOST=${api.hostname}`,
        `KUBERNETES_SERVICE_PORT=${api.port}`,
        `AWS_ENDPOINT_URL=${cluster.awsEndpoint}`,
        'AWS_ACCESS_KEY_ID=testing',
        'AWS_SECRET_ACCESS_KEY=testing',
        'AWS_EC2_METADATA_DISABLED=true',
      ];
      await podmanOk([
        'run', '--detach', '--name', container, '--network', 'host',
        '--read-only', '--tmpfs', '/tmp:rw,size=64m', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
        '--volume', `${saDir}:${SA_DIR}:ro`,
        ...containerEnv.flatMap((e) => ['--env', e]),
        imageId, ...args, ...ports,
      ]);
    });

    after(async () => {
      await podman(['rm', '--force', '--time', '5', container]);
      await helmCluster(['uninstall', release, '-n', ns]);
      if (saDir) rmSync(saDir, { recursive: true, force: true });
      removeHelmHome();
    });

    async function logs(): Promise<string> {
      const res = await podman(['logs', container]);
      return res.stdout + res.stderr;
    }

    async function expectRunning(): Promise<void> {
      const state = (await podmanOk(['inspect', '--format', '{{.State.Status}}', container])).trim();
      if (state !== 'running') assert.fail(`the container is ${state}:\n${await logs()}`);
    }

    async function leaseHolder(): Promise<string> {
      const res = await testEnv().kubectl(['get', 'lease', fullname, '-n', ns, '-o', 'jsonpath={.spec.holderIdentity}']);
      return res.code === 0 ? res.stdout : '<none>';
    }

    it('takes the release\'s Lease in the release namespace', async () => {
      await until('the Lease', async () => {
        await expectRunning();
        return (await leaseHolder()).startsWith(`${fullname}-0`) ? true : undefined;
      });
    });

    it('reports ready on /readyz and leader on /metrics', async () => {
      await until('/readyz 200', async () => {
        await expectRunning();
        return (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200 ? true : undefined;
      });
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      assert.match(metrics, /^costguard_leader 1$/m);
    });

    it('clamps an Auto Scaling group in Enforce mode', async () => {
      const asg = `${watched}-asg`;
      const aws = directClient();
      await createGroups(aws, [{ name: asg, maxSize: 40, desired: 30 }]);
      const guard = `apiVersion: costguard.io/v1alpha1\nkind: CostGuard\nmetadata: { name: smoke }\nspec: { mode: Enforce, scalingGroups: [ { name: ${asg}, maxSize: 20 } ] }\n`;
      expectOk(await testEnv().kubectl(['apply', '-n', watched, '-f', '-'], { input: guard }), 'apply guard');
      const maxSize = await until('MaxSize 20', async () => {
        await expectRunning();
        const group = await readGroup(aws, asg);
        return group?.MaxSize === 20 ? group.MaxSize : undefined;
      });
      assert.equal(maxSize, 20);
    });

    it('exits 0 on SIGTERM and releases the Lease', async () => {
      await podmanOk(['kill', '--signal', 'TERM', container]);
      const code = (await podmanOk(['wait', container])).trim();
      assert.equal(code, '0', await logs());
      assert.equal(await leaseHolder(), '', 'the Lease is handed back');
    });

    it('is never forbidden by the API server', async () => {
      assert.doesNotMatch(await logs(), /forbidden|\b403\b/i);
    });
  });
});
