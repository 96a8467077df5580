// Runs the worker benchmarks alone, with moto from the local environment, and writes
// bench/worker-results.md:
//   node --conditions=costguard-source bench/worker-main.ts
// (`make bench` runs them through bench/main.ts with everything else.)
import { cpus } from 'node:os';
import { MotoServer, repoRoot } from '../hack/localenv/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderWorkerBench, workerBench } from './worker.ts';

const dir = mkdtempSync(join(tmpdir(), 'costguard-bench-moto-'));
const moto = new MotoServer(dir);
await moto.start();
try {
  Object.assign(process.env, moto.awsEnv());
  const result = await workerBench({ sqs: true });
  const text = `# Worker library benchmark\n\nWritten by bench/worker-main.ts on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, Node ${process.versions.node}, moto on loopback.\n\n${renderWorkerBench(result).replace(/^## /, '### ')}`;
  writeFileSync(join(repoRoot, 'bench', 'worker-results.md'), text);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n\n${text}`);
} finally {
  await moto.stop();
  rmSync(dir, { recursive: true, force: true });
}
