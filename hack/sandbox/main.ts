// `make sandbox`: the local API server, moto, the Slack sink and the CostGuard operator, seeded
// with targets for every file in examples/; writes .sandbox/kubeconfig and .sandbox/env, prints
// how to use them and stays up until Ctrl-C, which stops everything.
//   --dir <dir>        where kubeconfig and env go (default .sandbox)
//   --log-level <lvl>  the operator's log level (default info)
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../../src/runtime/logger.ts';
import { repoRoot } from '../localenv/index.ts';
import { startSandbox } from './sandbox.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function logLevel(): LogLevel {
  const level = flag('--log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${level}`);
  return level as LogLevel;
}

async function main(): Promise<void> {
  const stopped = new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  say('==> starting the sandbox: kube-apiserver + etcd, moto, a Slack sink, then the operator (about 20 s)');
  const sandbox = await startSandbox({ dir: resolve(flag('--dir') ?? resolve(repoRoot, '.sandbox')), logLevel: logLevel() });
  say(sandbox.usage());
  let shown = 0;
  const slack = setInterval(() => {
    for (const req of sandbox.sink.requests.slice(shown)) say(`==> Slack message: ${(req.body as { text?: string } | undefined)?.text ?? req.raw}`);
    shown = sandbox.sink.requests.length;
  }, 1000);
  await stopped;
  clearInterval(slack);
  say('\n==> stopping the operator, the Slack sink and the local environment');
  await sandbox.stop();
  say('sandbox: stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`sandbox failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
