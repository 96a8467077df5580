// The Helm chart, as a platform engineer meets it: it lints and renders, its values schema
// turns mistakes into messages that name the value, a real API server accepts everything it
// renders, `helm install` works, the operator's RBAC is exactly what docs/operations.md lists
// (and anything else is forbidden), and Helm's CRD handling is what the docs say.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { rulesFor } from '../../../src/controllers/api-access.ts';
import { parseConfig } from '../../../src/runtime/config.ts';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { testEnv, type CommandResult } from '../../harness/env.ts';
import { chartDir, expectOk, fixture, fullValues, helm, helmCluster, removeHelmHome, render, renderText } from './helm.ts';
import { describeGrants, findOne, kinds, normalizeRules, parseManifests, rbacTable, withoutResourceNames, type Manifest, type PolicyRule } from './manifests.ts';

const operationsDoc = readFileSync(join(repoRoot, 'docs', 'operations.md'), 'utf8');

/** What the operator may do cluster-wide: what the code uses (src/controllers/api-access.ts). */
const CLUSTER_GRANTS: PolicyRule[] = rulesFor('ClusterRole');

/** Secrets: `get` only, and only in the release namespace and rbac.secretNamespaces (one Role each). */
const SECRET_GRANTS: PolicyRule[] = rulesFor('Role (Secrets)');

const LEASE_GRANTS: PolicyRule[] = rulesFor('Role (leader election)');

/** `helm template --set …` values the schema must reject, and the value path helm must name. */
const BAD_VALUES: { set: string[]; path: string; why: string }[] = [
  { set: ['--set', 'replicaCount=0'], path: '/replicaCount', why: 'no replica' },
  { set: ['--set-string', 'replicaCount=two'], path: '/replicaCount', why: 'not an integer' },
  { set: ['--set', 'image.tag=true'], path: '/image/tag', why: 'a boolean tag' },
  { set: ['--set', 'image.digest=0123abcd'], path: '/image/digest', why: 'a digest without sha256:' },
  { set: ['--set', 'image.pullPolicy=Sometimes'], path: '/image/pullPolicy', why: 'not a pull policy' },
  { set: ['--set', 'aws.region=mars'], path: '/aws/region', why: 'not an AWS region' },
  { set: ['--set', 'aws.endpointUrl=ftp://moto:5000'], path: '/aws/endpointUrl', why: 'not an http(s) URL' },
  { set: ['--set', 'logLevel=verbose'], path: '/logLevel', why: 'not a log level' },
  { set: ['--set', 'resyncPeriod=30'], path: '/resyncPeriod', why: 'a number, not a duration' },
  { set: ['--set-string', 'resyncPeriod=thirty'], path: '/resyncPeriod', why: 'not a duration' },
  { set: ['--set', 'watchNamespaces={payments,Search_Team}'], path: '/watchNamespaces/1', why: 'not a namespace name' },
  { set: ['--set-json', 'watchNamespaces="payments"'], path: '/watchNamespaces', why: 'a string, not a list' },
  { set: ['--set', 'replicaCont=3'], path: "additional properties 'replicaCont'", why: 'a typo at the top level' },
  { set: ['--set', 'serviceAccount.anotations.a=b'], path: "additional properties 'anotations'", why: 'a typo in a nested key' },
  { set: ['--set', 'metrics.port=70000'], path: '/metrics/port', why: 'not a port' },
  { set: ['--set', 'podDisruptionBudget.minAvailable=half'], path: '/podDisruptionBudget/minAvailable', why: 'neither a count nor a percentage' },
  { set: ['--set', 'prometheusRule.ceilingBindingFor=1.5m'], path: '/prometheusRule/ceilingBindingFor', why: 'not a Prometheus duration' },
  { set: ['--set', 'networkPolicy.apiServer.cidrs={10.0.0.0}'], path: '/networkPolicy/apiServer/cidrs/0', why: 'not a CIDR' },
  { set: ['--set', 'rbac.secretNamespaces={payments,Search_Team}'], path: '/rbac/secretNamespaces/1', why: 'not a namespace name' },
];

interface Container {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  securityContext: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
}

interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string; maxSkew: number; labelSelector: unknown }[];
}

function podSpec(objects: Manifest[]): PodSpec {
  const deployment = findOne(objects, 'Deployment') as Manifest & { spec: { template: { spec: PodSpec } } };
  return deployment.spec.template.spec;
}

function operatorContainer(objects: Manifest[]): Container {
  const container = podSpec(objects).containers.find((c) => c.name === 'operator');
  assert.ok(container, 'the Deployment has an operator container');
  return container;
}

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

function rulesOf(objects: Manifest[], kind: 'ClusterRole' | 'Role', name?: string): PolicyRule[] {
  return (findOne(objects, kind, name) as Manifest & { rules: PolicyRule[] }).rules;
}

function kubectl(...args: string[]): Promise<CommandResult> {
  return testEnv().kubectl(args);
}

/** kubectl apply --dry-run=server of a YAML stream: the API server validates, admits and discards. */
function dryRunApply(yamlText: string, ...extra: string[]): Promise<CommandResult> {
  return testEnv().kubectl(['apply', '--dry-run=server', ...extra, '-f', '-'], { input: yamlText });
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 6)}`;
}

describe('Helm chart charts/costguard', function () {
  this.timeout(120_000);
  after(removeHelmHome);

  describe('lint and render', () => {
    it('passes helm lint --strict with the default values', async () => {
      const out = expectOk(await helm(['lint', '--strict', chartDir]), 'helm lint');
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it('passes helm lint --strict with every feature switched on (values-full.yaml)', async () => {
      const out = expectOk(await helm(['lint', '--strict', chartDir, '-f', fullValues]), 'helm lint');
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it('renders the operator, its identity and RBAC, the metrics Service and the PDB by default, nothing optional', async () => {
      const objects = await render();
      assert.deepEqual(kinds(objects).sort(), [
        'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount',
      ]);
      for (const o of objects) {
        assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'costguard', `${o.kind} labels`);
        assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], 'costguard', `${o.kind} labels`);
        assert.equal(o.metadata.labels?.['app.kubernetes.io/version'], '0.1.0', `${o.kind} labels`);
        const clusterScoped = o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding';
        assert.equal(o.metadata.namespace, clusterScoped ? undefined : 'costguard-system', `${o.kind} namespace`);
      }
    });

    it('renders the ServiceMonitor, PrometheusRule and NetworkPolicy with values-full.yaml', async () => {
      const objects = await render({ args: ['-f', fullValues] });
      for (const kind of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']) assert.equal(findOne(objects, kind).kind, kind);
      const monitor = findOne(objects, 'ServiceMonitor') as Manifest & { spec: { endpoints: { port: string; interval: string }[] } };
      assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
      assert.deepEqual(monitor.spec.endpoints.map((e) => [e.port, e.interval]), [['metrics', '15s']]);
    });

    it('runs two replicas of the image of appVersion, with leader election in the release namespace', async () => {
      const objects = await render();
      const deployment = findOne(objects, 'Deployment') as Manifest & { spec: { replicas: number } };
      assert.equal(deployment.spec.replicas, 2);
      const c = operatorContainer(objects);
      assert.equal(c.image, 'ghcr.io/costguard/costguard:0.1.0');
      assert.equal(c.args[0], 'operator');
      assert.ok(c.args.includes('--leader-elect'));
      assert.ok(c.args.includes('--leader-election-namespace=$(POD_NAMESPACE)'));
      const fieldRefs = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
      assert.equal(fieldRefs.POD_NAME, 'metadata.name');
      assert.equal(fieldRefs.POD_NAMESPACE, 'metadata.namespace');
    });

    it('spreads the replicas over nodes (hard) and zones (best effort)', async () => {
      const spread = podSpec(await render()).topologySpreadConstraints ?? [];
      assert.deepEqual(spread.map((s) => [s.topologyKey, s.whenUnsatisfiable, s.maxSkew]), [
        ['kubernetes.io/hostname', 'DoNotSchedule', 1],
        ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
      ]);
      const extra = podSpec(await render({ args: ['-f', fullValues] })).topologySpreadConstraints ?? [];
      assert.equal(extra.length, 3, 'values-full adds its own constraint after the chart\'s');
      const off = podSpec(await render({ args: ['--set', 'topologySpread.enabled=false'] }));
      assert.equal(off.topologySpreadConstraints, undefined);
    });

    it('runs restricted: user 65532, non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', async () => {
      const objects = await render();
      const pod = podSpec(objects);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(pod.securityContext.runAsNonRoot, true);
      const sc = operatorContainer(objects).securityContext;
      assert.equal(sc.runAsNonRoot, true);
      assert.equal(sc.runAsUser, 65532);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
      assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
    });

    it('requests 50m CPU and 160Mi, caps memory at 384Mi, and probes /healthz and /readyz on port 8081 (health)', async () => {
      const c = operatorContainer(await render());
      assert.deepEqual(c.resources, { requests: { cpu: '50m', memory: '160Mi' }, limits: { memory: '384Mi' } });
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
      assert.deepEqual(c.ports.map((p) => [p.name, p.containerPort]), [['metrics', 8080], ['health', 8081]]);
    });

    it('passes flags that the operator\'s own parser accepts, taken from the values', async () => {
      const namespace = 'costguard-system';
      const env = { POD_NAME: 'costguard-abc', POD_NAMESPACE: namespace };
      const argsOf = (c: Container): string[] => c.args.slice(1).map((a) => a.replace('$(POD_NAMESPACE)', namespace));

      const byDefault = operatorContainer(await render());
      const d = parseConfig(argsOf(byDefault), env).config;
      assert.deepEqual([d.namespaces, d.resyncPeriodMs, d.logLevel, d.leaderElect, d.leaderElectionNamespace], [[], 30_000, 'info', true, namespace]);
      assert.deepEqual([d.metricsBindAddress?.port, d.healthProbeBindAddress?.port, d.leaderElectionId], [8080, 8081, 'costguard']);
      assert.equal(envValue(byDefault, 'AWS_REGION'), undefined);
      assert.equal(envValue(byDefault, 'AWS_ENDPOINT_URL'), undefined);

      const full = operatorContainer(await render({ args: ['-f', fullValues] }));
      const f = parseConfig(argsOf(full), env).config;
      assert.deepEqual([f.namespaces, f.resyncPeriodMs, f.logLevel, f.maxConcurrentReconciles, f.leaseDurationMs], [['payments', 'search'], 90_000, 'debug', 8, 30_000]);
      assert.equal(envValue(full, 'AWS_REGION'), 'eu-west-1');
      assert.match(envValue(full, 'AWS_ENDPOINT_URL') ?? '', /^https:\/\/vpce-/);
      assert.equal(envValue(full, 'AWS_STS_REGIONAL_ENDPOINTS'), 'regional');
      assert.equal(full.image, 'registry.example.com/platform/costguard@sha256:4d7f1d9c0f3b5e2a8c6b7e9f0a1d2c3b4e5f60718293a4b5c6d7e8f9a0b1c2d3');
    });

    it('pulls by digest when image.digest is set', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const c = operatorContainer(await render({ args: ['--set', `image.digest=${digest}`] }));
      assert.equal(c.image, `ghcr.io/costguard/costguard@${digest}`);
      // Your registry, as docs/operations.md shows it: the digest wins over a tag given too.
      const mine = ['--set', 'image.repository=registry.example.com/platform/costguard', '--set-string', 'image.tag=0.1.0', '--set', `image.digest=${digest}`];
      assert.equal(operatorContainer(await render({ args: mine })).image, `registry.example.com/platform/costguard@${digest}`);
    });

    it('annotates the ServiceAccount for IRSA and runs the pods as it', async () => {
      const objects = await render({ args: ['-f', fullValues] });
      const sa = findOne(objects, 'ServiceAccount');
      assert.equal(sa.metadata.name, 'costguard-operator');
      assert.equal(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/costguard');
      assert.equal(podSpec(objects).serviceAccountName, 'costguard-operator');
    });

    it('uses an existing ServiceAccount when serviceAccount.create=false, and says so when its name is missing', async () => {
      const objects = await render({ args: ['--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform-costguard'] });
      assert.ok(!kinds(objects).includes('ServiceAccount'));
      assert.equal(podSpec(objects).serviceAccountName, 'platform-costguard');
      const binding = findOne(objects, 'ClusterRoleBinding') as Manifest & { subjects: { name: string }[] };
      assert.equal(binding.subjects[0]?.name, 'platform-costguard');
      const res = await helm(['template', 'costguard', chartDir, '--set', 'serviceAccount.create=false']);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /serviceAccount\.name is required when serviceAccount\.create is false/);
    });

    it('renders no RBAC objects with rbac.create=false', async () => {
      const objects = await render({ args: ['--set', 'rbac.create=false'] });
      for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']) assert.ok(!kinds(objects).includes(kind), kind);
    });

    it('exposes /metrics on a Service port named metrics (8080) that selects the operator pods', async () => {
      const objects = await render();
      const service = findOne(objects, 'Service') as Manifest & { spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] } };
      assert.equal(service.metadata.name, 'costguard-metrics');
      assert.deepEqual(service.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['metrics', 8080, 'metrics']]);
      const podLabels = (findOne(objects, 'Deployment') as Manifest & { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
      for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(podLabels[k], v, `selector ${k}`);
    });

    it('keeps one replica through drains, and renders no PodDisruptionBudget for a single replica', async () => {
      const pdb = findOne(await render(), 'PodDisruptionBudget') as Manifest & { spec: { minAvailable: number } };
      assert.equal(pdb.spec.minAvailable, 1);
      assert.ok(!kinds(await render({ args: ['--set', 'replicaCount=1'] })).includes('PodDisruptionBudget'));
    });

    it('alerts on a ceiling binding for 15m, missing targets or unmatched selectors for 15m, a down operator and no leader', async () => {
      const rule = findOne(await render({ args: ['--set', 'prometheusRule.enabled=true'] }), 'PrometheusRule') as Manifest & {
        spec: { groups: { rules: { alert: string; expr: string; for?: string; labels: Record<string, string> }[] }[] };
      };
      const alerts = new Map(rule.spec.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
      assert.deepEqual([...alerts.keys()], ['CostGuardRunawaySuspected', 'CostGuardBrakeEngaged', 'CostGuardCeilingBinding', 'CostGuardTargetsNotFound', 'CostGuardOperatorDown', 'CostGuardNoLeader']);
      assert.match(alerts.get('CostGuardRunawaySuspected')?.expr ?? '', /\(costguard_runaway_suspected\) == 1$/);
      assert.match(alerts.get('CostGuardBrakeEngaged')?.expr ?? '', /\(costguard_brake_engaged\) == 1$/);
      assert.match(alerts.get('CostGuardCeilingBinding')?.expr ?? '', /\(costguard_ceiling_binding\) == 1$/);
      assert.equal(alerts.get('CostGuardCeilingBinding')?.for, '15m');
      assert.match(alerts.get('CostGuardTargetsNotFound')?.expr ?? '', /\(costguard_targets_missing\) > 0\) or .*\(costguard_selectors_unmatched\) > 0\)$/);
      assert.equal(alerts.get('CostGuardTargetsNotFound')?.for, '15m');
      assert.equal(alerts.get('CostGuardOperatorDown')?.expr, 'absent(up{job="costguard-metrics", namespace="costguard-system"} == 1)');
      assert.ok(alerts.has('CostGuardNoLeader'));
      for (const [name, r] of alerts) assert.ok(['critical', 'warning'].includes(r.labels.severity ?? ''), `${name} severity`);
    });

    it('ships the generated incident dashboard in a ConfigMap for the Grafana sidecar, only when asked', async () => {
      assert.ok(!(await render()).some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'costguard-dashboards'), 'off by default');
      const cm = findOne(await render({ args: ['-f', fullValues] }), 'ConfigMap') as Manifest & { data: Record<string, string>; metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> } };
      assert.equal(cm.metadata.name, 'costguard-dashboards');
      assert.equal(cm.metadata.namespace, 'costguard-system', 'the release namespace unless dashboards.namespace says otherwise');
      const elsewhere = findOne(await render({ args: ['-f', fullValues, '--set', 'dashboards.namespace=monitoring'] }), 'ConfigMap');
      assert.equal(elsewhere.metadata.namespace, 'monitoring');
      assert.equal(cm.metadata.labels.grafana_dashboard, '1');
      assert.equal(cm.metadata.annotations.grafana_folder, 'CostGuard');
      // Byte for byte the generated file: helm must not template the JSON's {{legend}} strings.
      const file = readFileSync(join(chartDir, 'dashboards', 'costguard-incident.json'), 'utf8');
      assert.deepEqual(Object.keys(cm.data), ['costguard-incident.json']);
      assert.equal(cm.data['costguard-incident.json'], file.trimEnd());
      assert.equal((JSON.parse(cm.data['costguard-incident.json']) as { uid: string }).uid, 'costguard-incident');
    });

    it('limits the network with values-full.yaml: DNS, API server, HTTPS, worker metrics out; metrics and health in', async () => {
      const policy = findOne(await render({ args: ['-f', fullValues] }), 'NetworkPolicy') as Manifest & {
        spec: { policyTypes: string[]; ingress: { ports: { port: number | string }[] }[]; egress: { ports?: { port: number | string }[]; to?: unknown[] }[] };
      };
      assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
      const ports = (rules: { ports?: { port: number | string }[] }[]): (number | string)[] => rules.flatMap((r) => (r.ports ?? []).map((p) => p.port));
      assert.deepEqual(ports(policy.spec.ingress), ['metrics', 'health']);
      assert.deepEqual(ports(policy.spec.egress), [53, 53, 443, 443, 9464, 9100, 9090]);
      assert.deepEqual(policy.spec.egress[1]?.to, [{ ipBlock: { cidr: '10.0.0.0/16' } }]);
    });
  });

  describe('values.schema.json', () => {
    for (const bad of BAD_VALUES) {
      it(`rejects ${bad.set.join(' ')} (${bad.why}), naming the value`, async () => {
        const res = await helm(['template', 'costguard', chartDir, ...bad.set]);
        assert.notEqual(res.code, 0, `helm accepted ${bad.set.join(' ')}`);
        assert.match(res.stderr, /values don't meet the specifications of the schema/);
        assert.ok(res.stderr.includes(bad.path), `the message names ${bad.path}:\n${res.stderr}`);
      });
    }
  });

  describe('RBAC', () => {
    it('grants in the ClusterRole exactly what docs/operations.md lists, and that is what the code uses', async () => {
      const rendered = normalizeRules(rulesOf(await render(), 'ClusterRole'));
      assert.deepEqual(describeGrants(withoutResourceNames(rendered)), describeGrants(normalizeRules(CLUSTER_GRANTS)));
      assert.deepEqual(describeGrants(rbacTable(operationsDoc, 'ClusterRole')), describeGrants(withoutResourceNames(rendered)));
      // The one name-limited grant: the cluster id comes from kube-system, and no other namespace is read.
      assert.deepEqual(describeGrants(rendered).filter((g) => g.startsWith('core/namespaces')), ['core/namespaces[kube-system]: get']);
    });

    it('grants leases (and deleting its budget records) only in the release namespace, reading and renewing only the release\'s Lease', async () => {
      const objects = await render({ release: 'guard', namespace: 'ops' });
      const role = findOne(objects, 'Role', 'guard-costguard-leader-election');
      assert.equal(role.metadata.namespace, 'ops');
      const grants = normalizeRules(rulesOf(objects, 'Role', 'guard-costguard-leader-election'));
      assert.deepEqual(describeGrants(grants), ['coordination.k8s.io/leases: create', 'coordination.k8s.io/leases[guard-costguard]: get,update', 'core/configmaps: delete']);
      assert.deepEqual(describeGrants(withoutResourceNames(grants)), describeGrants(normalizeRules(LEASE_GRANTS)));
      assert.deepEqual(describeGrants(rbacTable(operationsDoc, 'Role (leader election)')), describeGrants(normalizeRules(LEASE_GRANTS)));
      const args = operatorContainer(objects).args;
      assert.ok(args.includes('--leader-election-id=guard-costguard'), 'the Lease the Role names is the one the operator uses');
    });

    it('binds every role to the operator ServiceAccount', async () => {
      const objects = await render({ release: 'guard', namespace: 'ops' });
      const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') as (Manifest & { subjects: unknown[] })[];
      assert.equal(bindings.length, 3);
      for (const binding of bindings) {
        assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'guard-costguard', namespace: 'ops' }], `${binding.kind} ${binding.metadata.name}`);
      }
    });

    it('grants Secrets get in the release namespace only by default, as docs/operations.md says', async () => {
      const objects = await render({ release: 'guard', namespace: 'ops' });
      const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'guard-costguard-secrets');
      assert.deepEqual(roles.map((r) => r.metadata.namespace), ['ops']);
      assert.deepEqual(describeGrants(normalizeRules(rulesOf(objects, 'Role', 'guard-costguard-secrets'))), describeGrants(normalizeRules(SECRET_GRANTS)));
      assert.deepEqual(describeGrants(rbacTable(operationsDoc, 'Role (Secrets)')), describeGrants(normalizeRules(SECRET_GRANTS)));
      assert.ok(!describeGrants(normalizeRules(rulesOf(objects, 'ClusterRole'))).some((g) => g.includes('secrets')), 'no Secrets in the ClusterRole');
    });

    it('adds a Secrets Role and RoleBinding in each namespace of rbac.secretNamespaces', async () => {
      const objects = await render({ release: 'guard', namespace: 'ops', args: ['--set', 'rbac.secretNamespaces={payments,search,ops}'] });
      const inNamespaces = (kind: string) => objects.filter((o) => o.kind === kind && o.metadata.name === 'guard-costguard-secrets').map((o) => o.metadata.namespace).sort();
      assert.deepEqual(inNamespaces('Role'), ['ops', 'payments', 'search']);
      assert.deepEqual(inNamespaces('RoleBinding'), ['ops', 'payments', 'search']);
      const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'payments') as Manifest & { roleRef: unknown; subjects: unknown[] };
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'guard-costguard-secrets' });
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'guard-costguard', namespace: 'ops' }]);
    });
  });

  describe('on a real API server', () => {
    let ns: string;

    before(async () => {
      ns = uniqueName('chart-dryrun');
      expectOk(await kubectl('create', 'namespace', ns), 'create namespace');
      // The strictest Pod Security Standard, enforced on Pods and warned about on Deployments.
      const restricted = ['pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted'];
      expectOk(await kubectl('label', 'namespace', ns, ...restricted), 'label namespace');
      expectOk(await kubectl('apply', '--server-side', '-f', fixture('monitoring-crds.yaml')), 'monitoring CRDs');
      const crds = ['crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com'];
      expectOk(await kubectl('wait', '--for=condition=Established', '--timeout=60s', ...crds), 'monitoring CRDs established');
    });

    it('accepts every object of the default render, the CRD included (server-side dry run)', async () => {
      const text = await renderText({ namespace: ns, release: uniqueName('dry'), args: ['--include-crds'] });
      const res = await dryRunApply(text);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout.match(/\(server dry run\)/g)?.length, parseManifests(text).length, res.stdout);
      assert.doesNotMatch(res.stderr, /would violate PodSecurity/);
    });

    it('runs pods that the restricted Pod Security Standard admits (PodSecurity admission, enforce=restricted)', async () => {
      const template = (findOne(await render({ namespace: ns }), 'Deployment') as Manifest & { spec: { template: { spec: PodSpec } } }).spec.template;
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'costguard-restricted', namespace: ns }, spec: template.spec };
      const admitted = await testEnv().kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
      assert.equal(admitted.code, 0, admitted.stderr);
      // The control: the same pod with privilege escalation allowed is refused.
      const container = pod.spec.containers[0] as Container;
      container.securityContext = { ...container.securityContext, allowPrivilegeEscalation: true };
      const refused = await testEnv().kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /violates PodSecurity "restricted/);
    });

    it('accepts every object of values-full.yaml (server-side dry run)', async () => {
      const text = await renderText({ namespace: ns, release: uniqueName('dry'), args: ['-f', fullValues] });
      const res = await dryRunApply(text);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout.match(/\(server dry run\)/g)?.length, parseManifests(text).length, res.stdout);
      assert.doesNotMatch(res.stderr, /would violate PodSecurity/);
    });

    it('really validates in the dry run: a broken Deployment is rejected', async () => {
      const objects = await render({ namespace: ns });
      const deployment = findOne(objects, 'Deployment') as Manifest & { spec: { replicas: unknown } };
      deployment.spec.replicas = -1;
      const res = await dryRunApply(stringify(deployment));
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /spec\.replicas/);
    });
  });

  describe('helm install into the test API server', () => {
    const release = uniqueName('cg');
    const ns = uniqueName('chart-install');
    const other = uniqueName('chart-other');
    const serviceAccount = `system:serviceaccount:${ns}:${release}-costguard`;
    const lease = `${release}-costguard`;
    let installOutput = '';

    before(async () => {
      expectOk(await kubectl('create', 'namespace', other), 'create namespace');
      installOutput = expectOk(
        await helmCluster(['install', release, chartDir, '--namespace', ns, '--create-namespace', '--set', 'aws.region=us-east-1']),
        'helm install',
      );
    });

    it('installs a deployed release', async () => {
      const status = JSON.parse(expectOk(await helmCluster(['status', release, '-n', ns, '-o', 'json']), 'helm status')) as { info: { status: string } };
      assert.equal(status.info.status, 'deployed');
    });

    it('leaves the CostGuard CRD Established', async () => {
      expectOk(await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/costguards.costguard.io'), 'CRD established');
      const res = await kubectl('get', 'costguards', '-A');
      assert.equal(res.code, 0, res.stderr);
    });

    it('creates the operator, its ServiceAccount, roles and metrics Service', async () => {
      const res = expectOk(await kubectl('get', 'deployment,serviceaccount,role,rolebinding,service,pdb', '-n', ns, '-o', 'name'), 'get');
      for (const name of [`deployment.apps/${release}-costguard`, `serviceaccount/${release}-costguard`, `role.rbac.authorization.k8s.io/${release}-costguard-leader-election`, `service/${release}-costguard-metrics`]) {
        assert.ok(res.includes(name), `${name} in\n${res}`);
      }
      const replicas = expectOk(await kubectl('get', 'deployment', `${release}-costguard`, '-n', ns, '-o', 'jsonpath={.spec.replicas}'), 'get');
      assert.equal(replicas, '2');
    });

    it('prints NOTES whose DryRun CostGuard the API server accepts', async () => {
      assert.match(installOutput, /kubectl get costguards -A/);
      assert.match(installOutput, new RegExp(`http://${release}-costguard-metrics\\.${ns}\\.svc:8080/metrics`));
      const example = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(installOutput)?.[1];
      assert.ok(example, `an example CostGuard in the NOTES:\n${installOutput}`);
      const yamlText = example.replace(/^ {5}/gm, '');
      assert.match(yamlText, /mode: DryRun/);
      expectOk(await dryRunApply(yamlText), 'dry-run apply of the NOTES example');
    });

    it('lets the operator ServiceAccount do everything docs/operations.md lists (kubectl auth can-i: yes)', async () => {
      const granted: string[][] = [
        ['list', 'costguards.costguard.io', '-n', other],
        ['watch', 'costguards.costguard.io', '--all-namespaces'],
        ['patch', 'costguards.costguard.io', '-n', other],
        ['patch', 'costguards.costguard.io', '--subresource=status', '-n', other],
        ['update', 'costguards.costguard.io', '--subresource=finalizers', '-n', other],
        ['create', 'events.events.k8s.io', '-n', other],
        ['patch', 'deployments.apps', '-n', other],
        ['list', 'statefulsets.apps', '--all-namespaces'],
        ['patch', 'horizontalpodautoscalers.autoscaling', '-n', other],
        ['create', 'configmaps', '-n', other],
        ['patch', 'configmaps', '-n', other],
        ['list', 'pods', '-n', other],
        ['get', 'secrets', '-n', ns],
        ['update', 'configmaps', '-n', other],
        ['create', 'leases.coordination.k8s.io', '-n', ns],
        ['update', `leases.coordination.k8s.io/${lease}`, '-n', ns],
      ];
      const answers = await Promise.all(granted.map((args) => canI(serviceAccount, args)));
      assert.deepEqual(answers.filter((a) => !a.allowed).map((a) => a.action), []);
    });

    it('lets it patch KEDA ScaledObjects and ScaledJobs and Karpenter NodePools, and list a ScaledJob\'s Jobs (SubjectAccessReview)', async () => {
      const reviews = [
        { verb: 'patch', group: 'keda.sh', resource: 'scaledobjects', namespace: other },
        { verb: 'watch', group: 'keda.sh', resource: 'scaledobjects' },
        { verb: 'patch', group: 'keda.sh', resource: 'scaledjobs', namespace: other },
        { verb: 'watch', group: 'keda.sh', resource: 'scaledjobs' },
        { verb: 'list', group: 'batch', resource: 'jobs', namespace: other },
        { verb: 'patch', group: 'karpenter.sh', resource: 'nodepools' },
        { verb: 'list', group: 'karpenter.sh', resource: 'nodepools' },
        { verb: 'list', group: 'karpenter.sh', resource: 'nodeclaims' },
        { verb: 'delete', group: 'keda.sh', resource: 'scaledobjects', namespace: other },
        { verb: 'create', group: 'karpenter.sh', resource: 'nodepools' },
        // NodeClaims are read to price a pool, never watched or changed.
        { verb: 'watch', group: 'karpenter.sh', resource: 'nodeclaims' },
        { verb: 'delete', group: 'karpenter.sh', resource: 'nodeclaims' },
        // A ScaledJob's Jobs are counted, never started, changed, stopped or watched.
        { verb: 'create', group: 'batch', resource: 'jobs', namespace: other },
        { verb: 'delete', group: 'batch', resource: 'jobs', namespace: other },
        { verb: 'watch', group: 'batch', resource: 'jobs' },
        { verb: 'delete', group: 'keda.sh', resource: 'scaledjobs', namespace: other },
      ];
      const answers = await Promise.all(reviews.map((r) => accessReview(serviceAccount, r)));
      assert.deepEqual(answers, [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false, false]);
    });

    it('forbids the operator ServiceAccount anything else (kubectl auth can-i: no)', async () => {
      const forbidden: string[][] = [
        ['delete', 'deployments.apps', '-n', other],
        ['update', 'deployments.apps', '-n', other],
        ['get', 'secrets', '-n', other],
        ['get', 'secrets', '--all-namespaces'],
        ['list', 'secrets', '-n', ns],
        ['watch', 'secrets', '-n', ns],
        ['list', 'secrets', '-n', other],
        ['watch', 'secrets', '--all-namespaces'],
        ['create', 'pods', '-n', other],
        ['get', 'pods', '-n', other],
        ['watch', 'pods', '--all-namespaces'],
        ['delete', 'pods', '-n', other],
        ['create', 'costguards.costguard.io', '-n', other],
        ['delete', 'costguards.costguard.io', '-n', other],
        ['delete', 'configmaps', '-n', other],
        ['delete', 'horizontalpodautoscalers.autoscaling', '-n', other],
        ['create', 'customresourcedefinitions.apiextensions.k8s.io'],
        ['get', 'customresourcedefinitions.apiextensions.k8s.io'],
        ['get', 'costguards.costguard.io', '-n', other],
        ['update', 'costguards.costguard.io', '-n', other],
        ['update', 'costguards.costguard.io', '--subresource=status', '-n', other],
        ['patch', 'events.events.k8s.io', '-n', other],
        ['watch', 'configmaps', '-n', other],
        ['create', 'leases.coordination.k8s.io', '-n', other],
        ['update', 'leases.coordination.k8s.io/someone-else', '-n', ns],
        ['delete', `leases.coordination.k8s.io/${lease}`, '-n', ns],
        ['create', 'serviceaccounts', '--subresource=token', '-n', ns],
        ['bind', 'clusterroles.rbac.authorization.k8s.io'],
        ['impersonate', 'users'],
        ['get', 'nodes'],
      ];
      const answers = await Promise.all(forbidden.map((args) => canI(serviceAccount, args)));
      assert.deepEqual(answers.filter((a) => a.allowed).map((a) => a.action), []);
    });

    it('upgrades in place with new values (helm upgrade)', async () => {
      expectOk(await helmCluster(['upgrade', release, chartDir, '-n', ns, '--reuse-values', '--set', 'logLevel=debug']), 'helm upgrade');
      const args = expectOk(await kubectl('get', 'deployment', `${release}-costguard`, '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].args}'), 'get');
      assert.ok((JSON.parse(args) as string[]).includes('--log-level=debug'), args);
      const status = JSON.parse(expectOk(await helmCluster(['status', release, '-n', ns, '-o', 'json']), 'helm status')) as { version: number };
      assert.equal(status.version, 2);
    });

    it('reaches Secrets in a namespace once it is listed in rbac.secretNamespaces (helm upgrade)', async () => {
      expectOk(await helmCluster(['upgrade', release, chartDir, '-n', ns, '--reuse-values', '--set', `rbac.secretNamespaces={${other}}`]), 'helm upgrade');
      const answers = await Promise.all([['get', 'secrets', '-n', other], ['list', 'secrets', '-n', other], ['get', 'secrets', '-n', 'default']].map((args) => canI(serviceAccount, args)));
      assert.deepEqual(answers.map((a) => [a.action, a.allowed]), [[`get secrets -n ${other}`, true], [`list secrets -n ${other}`, false], ['get secrets -n default', false]]);
    });

    it('uninstalls: the operator and its RBAC go, the CRD stays', async () => {
      expectOk(await helmCluster(['uninstall', release, '-n', ns]), 'helm uninstall');
      const gone = await kubectl('get', 'clusterrole', `${release}-costguard`);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /NotFound/);
      const deployments = expectOk(await kubectl('get', 'deployments', '-n', ns, '-o', 'name'), 'get');
      assert.equal(deployments.trim(), '');
      expectOk(await kubectl('get', 'crd', 'costguards.costguard.io'), 'the CRD is kept');
    });
  });

  describe('CRDs through Helm (the crds/ folder)', () => {
    const crd = 'crd/gadgets.chart-test.costguard.io';
    const release = uniqueName('crds');
    const ns = uniqueName('chart-crds');

    after(async () => {
      await helmCluster(['uninstall', release, '-n', ns]);
      await kubectl('delete', crd, '--ignore-not-found', '--wait=false');
    });

    async function specSchema(): Promise<{ description: string; properties: Record<string, { maximum?: number }> }> {
      const out = expectOk(await kubectl('get', crd, '-o', 'jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.spec}'), 'get crd');
      return JSON.parse(out) as { description: string; properties: Record<string, { maximum?: number }> };
    }

    it('installs them, never upgrades or deletes them, and the upgrade command in docs/operations.md does', async () => {
      const chartV1 = fixture(join('crd-upgrade', 'chart'));
      expectOk(await helmCluster(['install', release, chartV1, '-n', ns, '--create-namespace']), 'helm install');
      expectOk(await kubectl('wait', '--for=condition=Established', '--timeout=60s', crd), 'established');
      assert.equal((await specSchema()).description, 'Gadget spec, version 1.');

      // helm upgrade to a chart whose crds/ holds version 2 leaves the CRD as it was.
      const chartV2 = mkdtempSync(join(tmpdir(), 'costguard-crd-chart-'));
      try {
        cpSync(chartV1, chartV2, { recursive: true });
        cpSync(fixture(join('crd-upgrade', 'gadgets-v2.yaml')), join(chartV2, 'crds', 'gadgets.yaml'));
        expectOk(await helmCluster(['upgrade', release, chartV2, '-n', ns]), 'helm upgrade');
      } finally {
        rmSync(chartV2, { recursive: true, force: true });
      }
      assert.equal((await specSchema()).description, 'Gadget spec, version 1.');

      // The documented command, on the version-2 file: applied, the removed field is gone.
      const command = /^kubectl (apply --server-side.*) -f charts\/costguard\/crds\/$/m.exec(operationsDoc)?.[1];
      assert.ok(command, 'docs/operations.md shows the CRD upgrade command');
      expectOk(await kubectl(...command.split(' '), '-f', fixture(join('crd-upgrade', 'gadgets-v2.yaml'))), command);
      const v2 = await specSchema();
      assert.equal(v2.description, 'Gadget spec, version 2.');
      assert.deepEqual(Object.keys(v2.properties).sort(), ['paused', 'size']);
      assert.equal(v2.properties.size?.maximum, 20);

      expectOk(await helmCluster(['uninstall', release, '-n', ns]), 'helm uninstall');
      expectOk(await kubectl('get', crd), 'helm uninstall keeps the CRD');
    });
  });
});

/** `kubectl auth can-i` as a subject; exit 0 means yes, 1 means no, anything else is an error. */
async function canI(subject: string, args: string[]): Promise<{ action: string; allowed: boolean }> {
  const res = await testEnv().kubectl(['auth', 'can-i', ...args, `--as=${subject}`]);
  const action = args.join(' ');
  if (res.code > 1) throw new Error(`kubectl auth can-i ${action} failed: ${res.stderr}`);
  return { action, allowed: res.code === 0 && res.stdout.trim() === 'yes' };
}

/**
 * A SubjectAccessReview for resources the API server does not serve: `kubectl auth can-i` resolves
 * the resource through discovery and, for an unknown one, asks about the wrong group. KEDA and
 * Karpenter are not installed in the test API server, and other suites rely on that.
 */
async function accessReview(subject: string, attrs: { verb: string; group: string; resource: string; namespace?: string }): Promise<boolean> {
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: subject, resourceAttributes: attrs } };
  const res = await testEnv().kubectl(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], { input: JSON.stringify(review) });
  if (res.code !== 0) throw new Error(`SubjectAccessReview failed: ${res.stderr}`);
  return res.stdout.trim() === 'true';
}
