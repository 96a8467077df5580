// Operator memory with 5,000 Deployments in the cluster: the workload informers cached whole
// objects before (every pod template, in every replica of the operator); they cache
// PartialObjectMetadata now. Both modes run here side by side against the same API server:
// `--metadata-only-informers=false` is the old mode. No CostGuard exists, so what differs is
// the informers' caches alone.
import pLimit from 'p-limit';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../hack/localenv/index.ts';
import { collectionPath, Resources } from '../src/runtime/kube/resource.ts';
import { ContentType, type RestClient } from '../src/runtime/kube/rest.ts';
import type { Figure } from './figures.ts';
import { OperatorProcess } from './operator-process.ts';

const DEPLOYMENTS = 5000;
const NAMESPACE = 'bench-deployments';
const BENCH = 'deployments-rss';
const MIB = 1024 * 1024;
const ROUNDS = 2;

/** A Deployment as a Helm chart renders one: labels, a few env vars, probes, resources. */
function deployment(i: number): Record<string, unknown> {
  const name = `svc-${String(i).padStart(4, '0')}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/part-of': 'shop', team: `team-${i % 40}` };
  const env = Array.from({ length: 12 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${name}` }));
  const probe = { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, timeoutSeconds: 2 };
  const container = {
    name: 'app',
    image: `registry.example.com/shop/${name}:1.42.${i % 10}`,
    ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9464 }],
    env,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: probe,
    livenessProbe: probe,
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels, annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': NAMESPACE } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [container, { ...container, name: 'sidecar', env: env.slice(0, 4) }] } },
    },
  };
}

async function createDeployments(rest: RestClient): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(Array.from({ length: DEPLOYMENTS }, (_, i) => limit(() => rest.create(collectionPath(Resources.deployments, NAMESPACE), deployment(i)))));
}

/** Bytes of one full list and one metadata-only list of every Deployment (what each informer receives). */
async function listBytes(rest: RestClient, accept: string): Promise<number> {
  const list = await rest.get<unknown>(collectionPath(Resources.deployments, NAMESPACE), { accept, timeoutMs: 120_000 });
  return Buffer.byteLength(JSON.stringify(list));
}

interface Sample {
  rssMiB: number;
  heapMiB: number;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianSample(samples: readonly Sample[]): Sample {
  return { rssMiB: median(samples.map((s) => s.rssMiB)), heapMiB: median(samples.map((s) => s.heapMiB)) };
}

/** Starts the operator, waits until its informers have synced, lets it settle, samples memory. */
async function measure(env: Record<string, string>, extraArgs: string[]): Promise<Sample> {
  const probePort = await freePort();
  const op = await OperatorProcess.start([`--namespaces=${NAMESPACE}`, `--health-probe-bind-address=127.0.0.1:${probePort}`, ...extraArgs], env);
  try {
    const deadline = Date.now() + 180_000;
    while (!(await fetch(`http://127.0.0.1:${probePort}/readyz`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error('operator informers did not sync within 180 s');
      await delay(250);
    }
    // Past the list's garbage: sample a few times over 20 s and keep the median.
    const samples: Sample[] = [];
    for (let i = 0; i < 5; i++) {
      await delay(4000);
      samples.push({ rssMiB: op.rssMiB(), heapMiB: (await op.counter('costguard_nodejs_heap_size_used_bytes')) / 2 ** 20 });
    }
    return medianSample(samples);
  } finally {
    await op.stop();
  }
}

export async function deploymentsRss(rest: RestClient, env: Record<string, string>, kubectl: (args: string[]) => Promise<string>): Promise<Figure[]> {
  await kubectl(['create', 'namespace', NAMESPACE]);
  // The floor: the same operator with no Deployment to cache.
  const idle = await measure(env, []);
  await createDeployments(rest);
  const [fullBytes, metadataBytes] = [await listBytes(rest, ContentType.json), await listBytes(rest, ContentType.metadataList)];
  // Alternating fresh processes against the same 5,000 objects, twice each; medians of the runs.
  const runs: { full: Sample[]; metadata: Sample[] } = { full: [], metadata: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.full.push(await measure(env, ['--metadata-only-informers=false']));
    runs.metadata.push(await measure(env, []));
  }
  process.stdout.write(`deployments-rss runs: ${JSON.stringify({ idle, ...runs })}\n`);
  const full = medianSample(runs.full);
  const metadata = medianSample(runs.metadata);
  const old = 'whole-object informers (--metadata-only-informers=false), same run';
  const note = `${DEPLOYMENTS} Deployments of 2 containers (12 env vars, probes) with Helm annotations and no last-applied-configuration; no CostGuard, so only the informer caches differ.`;
  return [
    { id: 'deployments_rss.rss_mib', bench: BENCH, name: `Operator RSS with ${DEPLOYMENTS} Deployments cached`, value: metadata.rssMiB, unit: 'MiB', baseline: { name: old, value: full.rssMiB }, note },
    { id: 'deployments_rss.rss_mib_idle', bench: BENCH, name: 'Operator RSS with no Deployment (the floor of both)', value: idle.rssMiB, unit: 'MiB', note: 'Measured first, in the same run, before the Deployments were created.' },
    { id: 'deployments_rss.heap_used_mib', bench: BENCH, name: `V8 heap used with ${DEPLOYMENTS} Deployments cached`, value: metadata.heapMiB, unit: 'MiB', baseline: { name: old, value: full.heapMiB } },
    {
      id: 'deployments_rss.list_mib',
      bench: BENCH,
      name: `One list of ${DEPLOYMENTS} Deployments as received (PartialObjectMetadataList)`,
      value: metadataBytes / MIB,
      unit: 'MiB',
      baseline: { name: 'the same list as whole objects', value: fullBytes / MIB },
    },
  ];
}
