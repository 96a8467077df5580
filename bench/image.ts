// The operator image that `make image` built (dist/image/costguard.oci.tar): its size, and how
// long a fresh container takes from `podman run` to ready on /readyz against the local API
// server (informers synced). The image is loaded into podman's store first, so the figure is
// the container's start, not the archive's import.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, repoRoot, run } from '../hack/localenv/index.ts';
import type { Figure } from './figures.ts';

const archive = join(repoRoot, 'dist', 'image', 'costguard.oci.tar');
const podmanEnv = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(repoRoot, 'hack', 'image', 'containers.conf') };

export interface ImageBenchResult {
  /** Bytes of the oci-archive: the layers as a registry stores and serves them (gzip). */
  archiveBytes: number;
  /** Bytes of the unpacked image, as podman reports it. */
  unpackedBytes: number;
  digest: string;
  /** podman run → /readyz 200, one per run, in ms. */
  coldStartMs: number[];
  /** podman run of `--version` to exit, one per run, in ms: the runtime's and Node's share. */
  versionMs: number[];
  runs: number;
}

async function podman(args: string[]): Promise<string> {
  const res = await run('podman', args, { env: podmanEnv });
  if (res.code !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${res.code}): ${res.stderr}`);
  return res.stdout.trim();
}

async function waitReady(url: string, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.status === 200, () => false)) return;
    await delay(20);
  }
  throw new Error(`${name} not ready within ${timeoutMs} ms:\n${await podman(['logs', name]).catch(String)}`);
}

/** One container from start to ready, then stopped: milliseconds to ready. */
async function coldStart(imageId: string, kubeconfigDir: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const name = `costguard-bench-${port}`;
  const envFlags = Object.entries({ ...env, KUBECONFIG: '/kube/config' }).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const started = performance.now();
  await podman(['run', '--detach', '--name', name, '--network', 'host', '--read-only', '--tmpfs', '/tmp', '--volume', `${kubeconfigDir}:/kube:ro`, ...envFlags,
    imageId, 'operator', '--leader-elect=false', '--log-level=warn', '--metrics-bind-address=0', `--health-probe-bind-address=127.0.0.1:${port}`]);
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, name);
    return performance.now() - started;
  } finally {
    await podman(['rm', '--force', '--time', '5', name]);
  }
}

async function versionRun(imageId: string): Promise<number> {
  const started = performance.now();
  await podman(['run', '--rm', '--network', 'none', imageId, '--version']);
  return performance.now() - started;
}

/**
 * Measures the built image. `kubeconfigPath` is an admin kubeconfig of the running local API
 * server (with the CostGuard CRD installed); `env` holds the AWS_* variables of its moto.
 */
export async function imageBench(kubeconfigPath: string, env: Record<string, string>, runs = 3): Promise<ImageBenchResult> {
  const imageId = (await podman(['pull', '--quiet', `oci-archive:${archive}`])).split('\n').pop() ?? '';
  const unpackedBytes = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', imageId]));
  // The container runs as 65532: give it a readable copy of the kubeconfig.
  const dir = mkdtempSync(join(tmpdir(), 'costguard-bench-image-'));
  copyFileSync(kubeconfigPath, join(dir, 'config'));
  chmodSync(join(dir, 'config'), 0o644);
  chmodSync(dir, 0o755);
  const awsEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AWS_')));
  try {
    const coldStartMs: number[] = [];
    const versionMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      coldStartMs.push(await coldStart(imageId, dir, awsEnv));
      versionMs.push(await versionRun(imageId));
    }
    return { archiveBytes: statSync(archive).size, unpackedBytes, digest: readFileSync(`${archive}.digest`, 'utf8').trim(), coldStartMs, versionMs, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The figures of one run: start to ready beside the runtime's and Node's own start. */
export function imageFigures(r: ImageBenchResult): Figure[] {
  const bench = 'image';
  const MiB = 2 ** 20;
  const noBaseline = 'no side-by-side baseline: there is no other image of the operator to compare with.';
  return [
    { id: 'image.compressed_mib', bench, name: 'image, compressed (oci-archive, what a registry serves)', value: r.archiveBytes / MiB, unit: 'MiB', note: `${noBaseline} Digest ${r.digest}.` },
    { id: 'image.unpacked_mib', bench, name: 'image, unpacked', value: r.unpackedBytes / MiB, unit: 'MiB', note: noBaseline },
    {
      id: 'image.run_to_ready_s',
      bench,
      name: `\`podman run\` → ready on /readyz (median of ${r.runs})`,
      value: median(r.coldStartMs) / 1000,
      unit: 's',
      baseline: { name: '`podman run … --version` to exit (runtime and Node start)', value: median(r.versionMs) / 1000 },
    },
  ];
}

export async function benchImage(kubeconfigPath: string, env: Record<string, string>): Promise<Figure[]> {
  return imageFigures(await imageBench(kubeconfigPath, env));
}
