// `make demo`: the postmortem's incident, end to end, twice in compressed time (one simulated
// minute per real second) — unguarded, then with a CostGuard — on a local kube-apiserver +
// etcd, moto as AWS and a local Slack sink; no account or cluster needed. Prints progress and a
// summary, and writes a self-contained HTML report. Ctrl-C stops everything (servers, operator,
// workers) and removes the temporary folder, so a second run starts clean.
//   --short          a shorter scenario (CI)
//   --report <file>  where the HTML report goes (default dist/demo/report.html)
//   --json <file>    also write the results as JSON
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../localenv/index.ts';
import { renderReport } from './report.ts';
import { runDemo } from './run.ts';
import { FULL, SHORT } from './scenario.ts';
import { summaryText } from './summary.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

async function main(): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (!stop.signal.aborted) say('\n==> interrupted: stopping everything');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  say('CostGuard demo. SIMULATED parts, named as such below: the order traffic, the slow downstream,');
  say('AWS target tracking (moto runs no scaling policies), and the kubelet (no node: an "instance" is an');
  say('in-process worker-library instance on its own loopback address; Pods and replicas are reported for it).');
  const result = await runDemo({ timing: process.argv.includes('--short') ? SHORT : FULL, say, signal: stop.signal });
  say(summaryText(result));
  const report = resolve(flag('--report') ?? join(repoRoot, 'dist', 'demo', 'report.html'));
  await write(report, await renderReport(result));
  say(`\n==> report: ${report}`);
  const json = flag('--json');
  if (json) await write(resolve(json), JSON.stringify(result, null, 2));
  say('demo: ok');
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`demo ${message === 'interrupted' ? 'interrupted' : `failed: ${message}`}\n`);
    process.exit(message === 'interrupted' ? 130 : 1);
  },
);
