// The pieces the example worker's integration tests need: a local downstream HTTP service
// that succeeds, fails or is slow on demand and records what it saw; the example worker as
// a real child process; SQS queues in moto; and a Prometheus text scrape.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, repoRoot } from '../../../hack/localenv/index.ts';

export type DownstreamMode = 'ok' | 'fail';

/** A downstream service: POST / with header x-message-id. Counts calls per message id. */
export class Downstream {
  mode: DownstreamMode = 'ok';
  delayMs = 0;
  /** Calls per message id that got a 2xx. */
  readonly succeeded = new Map<string, number>();
  /** Calls per message id, whatever the answer. */
  readonly started = new Map<string, number>();
  failed = 0;
  inFlight = 0;
  maxInFlight = 0;
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const id = String(req.headers['x-message-id']);
      req.resume();
      req.on('end', () => void this.#answer(id, res));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
  }

  async #answer(id: string, res: ServerResponse): Promise<void> {
    this.started.set(id, (this.started.get(id) ?? 0) + 1);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.inFlight--;
    if (this.mode === 'fail') {
      this.failed++;
      res.writeHead(503).end('down');
      return;
    }
    this.succeeded.set(id, (this.succeeded.get(id) ?? 0) + 1);
    res.writeHead(200).end('ok');
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

export const sqs = (): SQSClient => new SQSClient({});

export async function createQueue(client: SQSClient, name: string, visibilityTimeoutSeconds: number): Promise<string> {
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) } }));
  return out.QueueUrl!;
}

/** Sends `n` messages; returns their MessageIds (what the worker passes downstream). */
export async function sendMessages(client: SQSClient, queueUrl: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 10) {
    const entries = Array.from({ length: Math.min(10, n - start) }, (_, i) => ({ Id: `m${start + i}`, MessageBody: JSON.stringify({ job: start + i }) }));
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (out.Failed?.length) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
    ids.push(...out.Successful!.map((s) => s.MessageId!));
  }
  return ids;
}

/** Messages still in the queue, visible or held by a consumer. */
export async function messagesInQueue(client: SQSClient, queueUrl: string): Promise<number> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

export interface WorkerConfig {
  perReplicaLimit: number;
  frozen?: boolean;
  retryBudgetPercent: number;
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number };
}

/** A folder holding the published worker.json, as a mounted ConfigMap would. */
export class ConfigDir {
  readonly path = mkdtempSync(join(tmpdir(), 'costguard-sqs-worker-'));
  readonly file = join(this.path, 'worker.json');

  publish(config: WorkerConfig): void {
    const doc = { version: 1, guard: 'test/orders', frozen: false, ...config, breaker: { fleetOpenPercent: 50, ...config.breaker }, publishedAt: new Date().toISOString() };
    // write then rename, as the kubelet's symlink swap: a reader never sees half a file
    writeFileSync(`${this.file}.tmp`, JSON.stringify(doc));
    renameSync(`${this.file}.tmp`, this.file);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface ExampleEnv {
  queueUrl: string;
  downstreamUrl: string;
  configFile: string;
  visibilityTimeoutSeconds?: number;
  parkSeconds?: number;
  extra?: Record<string, string>;
}

/** The example worker (examples/sqs-worker/main.ts) as a child process. */
export class ExampleWorker {
  readonly metricsPort: number;
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, metricsPort: number) {
    this.#child = child;
    this.metricsPort = metricsPort;
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static async start(env: ExampleEnv): Promise<ExampleWorker> {
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ['--conditions=costguard-source', join(repoRoot, 'examples/sqs-worker/main.ts')], {
      env: {
        ...process.env,
        QUEUE_URL: env.queueUrl,
        DOWNSTREAM_URL: env.downstreamUrl,
        COSTGUARD_CONFIG: env.configFile,
        METRICS_PORT: String(metricsPort),
        VISIBILITY_TIMEOUT_SECONDS: String(env.visibilityTimeoutSeconds ?? 10),
        PARK_SECONDS: String(env.parkSeconds ?? 2),
        WAIT_TIME_SECONDS: '1',
        DOWNSTREAM_TIMEOUT_MS: '10000',
        ...env.extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new ExampleWorker(child, metricsPort);
    await waitFor(async () => (await worker.scrape().catch(() => undefined)) !== undefined, 'the worker serves /metrics', 20_000);
    return worker;
  }

  /** The worker's metrics, `name{labels}` → value. */
  async scrape(): Promise<Map<string, number>> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return parseMetrics(await res.text());
  }

  async metric(name: string): Promise<number> {
    return (await this.scrape()).get(`costguard_worker_${name}`) ?? Number.NaN;
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }
}

export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Polls `check` every 100 ms until it is true; fails after `timeoutMs` saying what it waited for. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
