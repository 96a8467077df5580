// `make bench`: starts the local environment and runs the benchmarks side by side in one
// run, then writes bench/results.md (committed) and prints it.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { repoRoot, startLocalEnv } from '../hack/localenv/index.ts';
import { RestClient } from '../src/runtime/kube/rest.ts';
import { asgCalls, type AsgCallsResult } from './asg-calls.ts';
import { deploymentsRss, renderDeploymentsRss } from './deployments-rss.ts';
import { detectorBench, renderDetectorBench } from './detector.ts';
import { fleetScrape, type FleetScrapeResult } from './fleet-scrape.ts';
import { imageBench, renderImageBench } from './image.ts';
import { runtimeScale, type RuntimeScaleResult } from './runtime-scale.ts';
import { renderWorkerBench, workerBench } from './worker.ts';

function render(scale: RuntimeScaleResult, asg: AsgCallsResult): string {
  const rows = asg.strategies.map((s) => `| ${s.strategy} | ${s.describeCallsPerCycle} | ${s.groupsPerCall.toFixed(1)} | ${s.msPerCycle} |`);
  const base = asg.strategies[0]!;
  const ratios = asg.strategies.slice(1).map((s) => `${s.strategy}: ${(s.describeCallsPerCycle / base.describeCallsPerCycle).toFixed(0)}× the calls, ${(s.msPerCycle / base.msPerCycle).toFixed(1)}× the time`);
  return `# Benchmark results

Written by \`make bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, Node ${process.versions.node},
kube-apiserver 1.35 + etcd and moto on loopback. Absolute times are this machine's; compare
the ratios, which were measured side by side in the same run.

## Runtime: ${scale.guards} CostGuards (operator in its own process)

| measure | value | target |
| --- | --- | --- |
| create → every guard reconciled (observedGeneration set) | ${scale.createToAllReconciledSeconds.toFixed(1)} s | within one resync period (${scale.resyncSeconds} s) |
| CPU per resync cycle, steady state | ${scale.cpuSecondsPerResyncCycle.toFixed(2)} s (${scale.reconcilesPerResyncCycle.toFixed(0)} reconciles) | |
| RSS idle → with ${scale.guards} guards cached | ${scale.rssMiBIdle.toFixed(0)} MiB → ${scale.rssMiBAfter.toFixed(0)} MiB | under 150 MiB |
| V8 heap used with ${scale.guards} guards | ${scale.heapUsedMiBAfter.toFixed(0)} MiB | |

The operator runs from \`dist/\` with the chart's \`nodeOptions\` (\`${scale.nodeFlags}\`).

## Ceilings: ${asg.groups} Auto Scaling groups across ${asg.guards} guards (moto, calls counted at a proxy)

One resync cycle's observation, ${4} reconciles at a time, median of 3:

| strategy | DescribeAutoScalingGroups calls | groups per call | ms per cycle |
| --- | --- | --- | --- |
${rows.join('\n')}

Compared with the shared snapshot: ${ratios.join('; ')}.

End to end, the operator (DryRun, resync ${asg.operatorResyncSeconds} s) made ${asg.operatorDescribeCallsPerCycle.toFixed(1)} Describe calls per
resync cycle for ${asg.groups} groups (target: at most ${asg.groups / 100}).
`;
}

function renderFleetScrape(r: FleetScrapeResult): string {
  return `## Fleet breaker view: one poll of ${r.pods} worker endpoints (loopback)

| measure | value |
| --- | --- |
| one poll, every pod answering (median) | ${r.msPerPoll.toFixed(0)} ms at ${r.concurrency} scrapes at once |
| one poll with ${r.hangingPods} pods never answering | ${r.msPerPollWithHanging.toFixed(0)} ms (bounded by the ${r.timeoutMs} ms scrape timeout) |
`;
}

/** The benchmarks that need nothing but moto (or nothing at all), rendered in order. */
async function sideBenches(): Promise<string[]> {
  process.stdout.write('bench: runaway detector vs a naive rule over the trace corpus\n');
  const detector = renderDetectorBench(detectorBench());
  process.stdout.write('bench: fleet breaker view scrape\n');
  const fleet = renderFleetScrape(await fleetScrape());
  process.stdout.write('bench: worker library overhead, SQS jobs/s, config reload (about 5 minutes)\n');
  const worker = renderWorkerBench(await workerBench({ sqs: true }));
  return [detector, fleet, worker];
}

async function main(): Promise<void> {
  const env = await startLocalEnv();
  try {
    Object.assign(process.env, env.env);
    const kc = new KubeConfig();
    kc.loadFromFile(env.controlPlane.kubeconfigPath);
    const rest = new RestClient(kc);
    const kubectl = (args: string[]): Promise<string> => env.kubectl(args);
    await env.installCostGuardCrd();
    if (process.env.BENCH_ONLY === 'deployments-rss') return void process.stdout.write(renderDeploymentsRss(await deploymentsRss(rest, env.env, kubectl)));
    process.stdout.write('bench: 1,000 CostGuards (about 2 minutes)\n');
    const scale = await runtimeScale(rest, env.env, kubectl);
    if (process.env.BENCH_ONLY === 'runtime') return void process.stdout.write(`${JSON.stringify(scale, null, 2)}\n`);
    process.stdout.write('bench: 1,000 Auto Scaling groups across 200 guards (about 1 minute)\n');
    const asg = await asgCalls(rest, env.env, kubectl);
    const sections = await sideBenches();
    process.stdout.write('bench: the operator image: size and podman run to ready\n');
    sections.push(renderImageBench(await imageBench(env.controlPlane.kubeconfigPath, env.env)));
    const text = [render(scale, asg), ...sections].join('\n');
    writeFileSync(join(repoRoot, 'bench', 'results.md'), text);
    process.stdout.write(text);
  } finally {
    await env.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
