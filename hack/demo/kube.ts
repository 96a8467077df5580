// The demo's Kubernetes side, on the real local API server. No kubelet and no controller
// manager run there, so the demo plays their part (SIMULATED, and said so in the output):
// it reports the worker Deployment's replicas, creates one Pod object per running worker
// instance with its loopback address as pod IP (so the operator scrapes the worker library's
// real metrics endpoint), and copies the guard's published ConfigMap into the file the
// workers read, as a kubelet's volume mount would.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ContentType, type RestClient } from '../../src/runtime/kube/rest.ts';
import { collectionPath, objectPath, Resources } from '../../src/runtime/kube/resource.ts';

export const WORKLOAD = 'orders-worker';
const LABELS = { app: WORKLOAD };

const podsPath = (ns: string): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;

export async function createNamespace(rest: RestClient, ns: string): Promise<void> {
  await rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
}

export async function createWorkerDeployment(rest: RestClient, ns: string, replicas: number, metricsPort: number): Promise<void> {
  await rest.create(collectionPath(Resources.deployments, ns), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: WORKLOAD },
    spec: {
      replicas,
      selector: { matchLabels: LABELS },
      template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'worker', image: 'example.com/orders-worker:1.0', ports: [{ name: 'metrics', containerPort: metricsPort }] }] } },
    },
  });
}

/** Plays the controller manager and the kubelet for one Deployment: replicas and Pods. */
export class SimulatedPods {
  readonly #rest: RestClient;
  readonly #ns: string;

  constructor(rest: RestClient, ns: string) {
    this.#rest = rest;
    this.#ns = ns;
  }

  async reportReplicas(replicas: number): Promise<void> {
    const path = objectPath(Resources.deployments, this.#ns, WORKLOAD);
    await this.#rest.patch(path, { spec: { replicas } }, ContentType.mergePatch);
    await this.#rest.patch(`${path}/status`, { status: { replicas, readyReplicas: replicas, availableReplicas: replicas } }, ContentType.mergePatch);
  }

  /** A Running, Ready Pod whose IP is the worker instance's loopback address. */
  async podUp(name: string, ip: string): Promise<void> {
    await this.#rest.create(podsPath(this.#ns), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: LABELS },
      spec: { containers: [{ name: 'worker', image: 'example.com/orders-worker:1.0' }] },
    });
    const now = new Date().toISOString();
    await this.#rest.patch(
      `${podsPath(this.#ns)}/${name}/status`,
      { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
      ContentType.mergePatch,
    );
  }

  async podDown(name: string): Promise<void> {
    await this.#rest.delete(`${podsPath(this.#ns)}/${name}`, { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
  }
}

/** Copies ConfigMap `name` key `key` into `file` whenever it changes (a kubelet volume mount, sped up). */
export class SimulatedVolume {
  readonly #rest: RestClient;
  readonly #path: string;
  readonly #key: string;
  readonly #file: string;
  #last = '';

  constructor(rest: RestClient, from: { ns: string; name: string; key: string }, file: string) {
    this.#rest = rest;
    this.#path = objectPath(Resources.configMaps, from.ns, from.name);
    this.#key = from.key;
    this.#file = file;
  }

  /** One sync pass; true when the file changed. */
  async sync(): Promise<boolean> {
    const cm = await this.#rest.get<{ data?: Record<string, string> }>(this.#path).catch(() => undefined);
    const text = cm?.data?.[this.#key];
    if (text === undefined || text === this.#last) return false;
    await mkdir(dirname(this.#file), { recursive: true });
    await writeFile(`${this.#file}.tmp`, text);
    await rename(`${this.#file}.tmp`, this.#file);
    this.#last = text;
    return true;
  }
}
