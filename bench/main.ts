// `make bench`: runs the benchmarks (each figure beside its baseline, measured in the same run),
// then writes bench/results.json (a list of Figure) and bench/RESULTS.md rendered from it.
// BENCH_ONLY=<bench>[,<bench>] runs a subset; the other benches keep their figures.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { repoRoot, startLocalEnv } from '../hack/localenv/index.ts';
import { RestClient } from '../src/runtime/kube/rest.ts';
import { benchAsgCalls } from './asg-calls.ts';
import { benchBrakeWake } from './brake-wake.ts';
import { deploymentsRss } from './deployments-rss.ts';
import { benchDetector } from './detector.ts';
import type { Figure } from './figures.ts';
import { benchFleetScrape } from './fleet-scrape.ts';
import { benchHistory } from './history.ts';
import { benchHistoryExport } from './history-export.ts';
import { benchImage } from './image.ts';
import { figureProblems, mergeFigures, renderResults } from './results.ts';
import { benchRuntime } from './runtime-scale.ts';
import { benchWorker } from './worker.ts';

/** The local API server, etcd and moto, for the benches that need them. */
interface Env {
  rest: RestClient;
  env: Record<string, string>;
  kubectl: (args: string[], input?: string) => Promise<string>;
  kubeconfigPath: string;
}

interface Bench {
  name: string;
  /** Printed before it runs: what it measures and roughly how long it takes. */
  about: string;
  /** Runs inside the local environment (API server, moto); otherwise before it starts. */
  needsEnv: boolean;
  run(env: Env | undefined): Promise<Figure[]>;
}

const withEnv = (env: Env | undefined): Env => {
  if (!env) throw new Error('this bench needs the local environment');
  return env;
};

const BENCHES: Bench[] = [
  { name: 'detector', about: 'runaway detector vs a naive rule over the trace corpus', needsEnv: false, run: () => benchDetector() },
  { name: 'fleet-scrape', about: 'fleet breaker view: one poll of 500 worker endpoints', needsEnv: false, run: () => benchFleetScrape() },
  { name: 'history', about: 'recommend over a simulated month: 20 groups, one runaway (about 30 s)', needsEnv: false, run: () => benchHistory() },
  { name: 'runtime', about: '1,000 CostGuards, the operator in its own process; create → reconciled at the default limit and lifted, ABBA (about 6 minutes)', needsEnv: true, run: (e) => benchRuntime(withEnv(e).rest, withEnv(e).env, withEnv(e).kubectl) },
  // moto comes from the environment (AWS_ENDPOINT_URL), set by the time this runs.
  { name: 'history-export', about: 'export of 30 days × 20 groups against moto: calls vs the floor, wall time', needsEnv: true, run: () => benchHistoryExport() },
  { name: 'asg-calls', about: '1,000 Auto Scaling groups across 200 guards (about 1 minute)', needsEnv: true, run: (e) => benchAsgCalls(withEnv(e).rest, withEnv(e).env, withEnv(e).kubectl) },
  // moto comes from the environment (AWS_ENDPOINT_URL), set by the time this runs.
  { name: 'worker', about: 'worker library overhead, SQS jobs/s, config reload (about 5 minutes)', needsEnv: true, run: () => benchWorker({ sqs: true }) },
  { name: 'deployments-rss', about: 'operator memory with 5,000 Deployments: metadata-only vs whole-object informers (about 4 minutes)', needsEnv: true, run: (e) => deploymentsRss(withEnv(e).rest, withEnv(e).env, withEnv(e).kubectl) },
  { name: 'brake-wake', about: 'a new hold → MaxSize written, woken vs left to the 30 s resync (about 2 minutes)', needsEnv: true, run: (e) => benchBrakeWake(withEnv(e).rest) },
  { name: 'image', about: 'the operator image: size and podman run to ready', needsEnv: true, run: (e) => benchImage(withEnv(e).kubeconfigPath, withEnv(e).env) },
];

// ─── Benchmarks from other modules, run when their file exists ──────────────────────────────
// bench/demo.ts (the incident demo, `make demo`) exports benchDemo(): Promise<Figure[]>:
// onset → clamp and onset → Slack. It starts what it needs itself, so it runs after the
// local environment above has stopped.
const OPTIONAL: { name: string; module: string; exportName: string }[] = [{ name: 'demo', module: 'demo.ts', exportName: 'benchDemo' }];

async function optionalBench(o: (typeof OPTIONAL)[number]): Promise<Bench | undefined> {
  if (!existsSync(join(repoRoot, 'bench', o.module))) return undefined;
  const mod = (await import(`./${o.module}`)) as Record<string, unknown>;
  const fn = mod[o.exportName];
  if (typeof fn !== 'function') throw new Error(`bench/${o.module} does not export ${o.exportName}()`);
  return { name: o.name, about: `bench/${o.module}`, needsEnv: false, run: () => (fn as () => Promise<Figure[]>)() };
}
// ─────────────────────────────────────────────────────────────────────────────────────────────

/** The benches BENCH_ONLY names (all when unset), in the order given above. */
export function selectBenches(all: readonly Bench[], only: string | undefined, known: readonly string[] = all.map((b) => b.name)): Bench[] {
  if (!only?.trim()) return [...all];
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown bench ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return all.filter((b) => wanted.includes(b.name));
}

async function startEnv(): Promise<{ env: Env; stop: () => Promise<void> }> {
  const local = await startLocalEnv();
  Object.assign(process.env, local.env);
  const kc = new KubeConfig();
  kc.loadFromFile(local.controlPlane.kubeconfigPath);
  await local.installCostGuardCrd();
  const env: Env = { rest: new RestClient(kc), env: local.env, kubectl: (args, input) => local.kubectl(args, input), kubeconfigPath: local.controlPlane.kubeconfigPath };
  return { env, stop: () => local.stop() };
}

async function runAll(benches: readonly Bench[]): Promise<Figure[]> {
  const run = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.versions.node}`;
  const figures: Figure[] = [];
  const one = async (b: Bench, env?: Env): Promise<void> => {
    process.stdout.write(`bench: ${b.name}: ${b.about}\n`);
    for (const f of await b.run(env)) figures.push({ ...f, run });
  };
  for (const b of benches.filter((x) => !x.needsEnv && OPTIONAL.every((o) => o.name !== x.name))) await one(b);
  const inEnv = benches.filter((b) => b.needsEnv);
  if (inEnv.length) {
    const { env, stop } = await startEnv();
    try {
      for (const b of inEnv) await one(b, env);
    } finally {
      await stop();
    }
  }
  for (const b of benches.filter((x) => OPTIONAL.some((o) => o.name === x.name))) await one(b);
  return figures;
}

function readPrevious(path: string): Figure[] {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Figure[]) : [];
}

async function main(): Promise<void> {
  const optional = (await Promise.all(OPTIONAL.map(optionalBench))).flatMap((b) => (b ? [b] : []));
  const known = [...BENCHES, ...OPTIONAL].map((b) => b.name);
  const benches = selectBenches([...BENCHES, ...optional], process.env.BENCH_ONLY, known);
  const fresh = await runAll(benches);
  const jsonPath = join(repoRoot, 'bench', 'results.json');
  const figures = mergeFigures(readPrevious(jsonPath), fresh, benches.map((b) => b.name));
  const problems = figureProblems(figures);
  if (problems.length) throw new Error(`figures unfit to publish:\n${problems.join('\n')}`);
  writeFileSync(jsonPath, `${JSON.stringify(figures, null, 2)}\n`);
  const text = renderResults(figures);
  writeFileSync(join(repoRoot, 'bench', 'RESULTS.md'), text);
  process.stdout.write(text);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
