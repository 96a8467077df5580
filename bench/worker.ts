// `costguard/worker` benchmarks, side by side in one run: the library's overhead per job
// against bare p-limit + opossum, an SQS consumer's jobs/s with and without it (moto), and
// the time from a ConfigMap file change to the new limit in effect. `workerBench` measures,
// `workerFigures` turns that into figures (bench/RESULTS.md), `renderWorkerBench` into the
// standalone bench/worker-results.md.
import type { Figure } from './figures.ts';
import { configLatency, type ConfigLatency } from './worker-config-latency.ts';
import { workerOverhead, type OverheadRow } from './worker-overhead.ts';
import type { SqsThroughput } from './worker-sqs.ts';

export interface WorkerBenchResult {
  overhead: OverheadRow[];
  sqs: SqsThroughput | undefined;
  config: ConfigLatency[];
}

/** `sqs: true` needs moto in the environment (AWS_ENDPOINT_URL). */
export async function workerBench(options: { sqs?: boolean } = {}): Promise<WorkerBenchResult> {
  const overhead = await workerOverhead();
  const config = await configLatency();
  // Loaded only when run: it imports the built worker package (dist/), which a unit test of the
  // figures must not need.
  const sqs = options.sqs ? await (await import('./worker-sqs.ts')).sqsThroughput() : undefined;
  return { overhead, sqs, config };
}

/** The figures of one run: the library beside bare p-limit + opossum, fs.watch beside polling. */
export function workerFigures(r: WorkerBenchResult): Figure[] {
  const bench = 'worker';
  const bare = 'bare p-limit + opossum';
  const overhead: Figure[] = r.overhead.map((o) => ({
    id: `worker.ns_per_job_c${o.concurrency}`,
    bench,
    name: `CPU per job that does nothing, concurrency ${o.concurrency}, through the library`,
    value: o.libraryNsPerJob,
    unit: 'ns',
    baseline: { name: bare, value: o.bareNsPerJob },
    target: 'within 10 % of bare',
  }));
  const sqs: Figure[] = r.sqs
    ? [{
        id: 'worker.sqs_jobs_per_s',
        bench,
        name: `SQS consumer on the library, ${r.sqs.messages} messages, concurrency ${r.sqs.concurrency}`,
        value: r.sqs.libraryJobsPerSecond,
        unit: 'jobs/s',
        baseline: { name: `minimal consumer on ${bare}`, value: r.sqs.bareJobsPerSecond },
      }]
    : [];
  const watch = r.config.find((c) => c.mode.startsWith('fs.watch'));
  const pollOnly = r.config.find((c) => c.mode.startsWith('poll only'));
  const config: Figure[] = watch && pollOnly
    ? [{
        id: 'worker.config_reload_ms',
        bench,
        name: `ConfigMap change → new limit in effect, ${watch.mode} (median of ${watch.changes})`,
        value: watch.medianMs,
        unit: 'ms',
        baseline: { name: pollOnly.mode, value: pollOnly.medianMs },
      }]
    : [];
  return [...overhead, ...sqs, ...config];
}

/** `sqs: true` needs moto in the environment (AWS_ENDPOINT_URL). */
export async function benchWorker(options: { sqs?: boolean } = {}): Promise<Figure[]> {
  return workerFigures(await workerBench(options));
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

export function renderWorkerBench(r: WorkerBenchResult): string {
  const overhead = r.overhead.map((o) => `| ${o.concurrency} | ${(o.bareNsPerJob / 1000).toFixed(2)} µs | ${(o.libraryNsPerJob / 1000).toFixed(2)} µs | ${Math.round(o.libraryNsPerJob - o.bareNsPerJob)} ns (${pct(o.overhead)}) |`);
  const config = r.config.map((c) => `| ${c.mode} | ${c.changes} | ${c.medianMs.toFixed(1)} ms | ${c.maxMs.toFixed(1)} ms |`);
  const sqs = r.sqs
    ? `| ${r.sqs.messages} messages, concurrency ${r.sqs.concurrency} | ${r.sqs.bareJobsPerSecond.toFixed(0)} | ${r.sqs.libraryJobsPerSecond.toFixed(0)} | ${pct(r.sqs.libraryJobsPerSecond / r.sqs.bareJobsPerSecond - 1)} |`
    : '| not measured | | | |';
  return `## Worker library (costguard/worker)

Overhead per job, in process: a job that does nothing, through bare p-limit + bare opossum
and through the library (limiter, named breaker, retry-budget bookkeeping, metrics),
alternating rounds, median CPU time per job (goal: within 10 %; the job does nothing, so
this is the worst case: any real job adds its own cost to both columns):

| concurrency | bare p-limit + opossum | costguard/worker | overhead |
| --- | --- | --- | --- |
${overhead.join('\n')}

SQS consumer against moto, jobs/s (receive → POST to a local downstream → delete; moto is
the bottleneck): a minimal consumer on bare p-limit + opossum, and the example worker's
consumer on the library (which also extends visibility timeouts and settles every message);
median of 3 alternating runs each:

| run | bare | library | difference |
| --- | --- | --- | --- |
${sqs}

ConfigMap change → new limit in effect, the file swapped as the kubelet does (new folder,
atomic \`..data\` symlink rename). Add the kubelet's own delay before it (its sync period,
1 min by default, plus its ConfigMap cache TTL):

| how the worker notices | changes | median | max |
| --- | --- | --- | --- |
${config.join('\n')}
`;
}
