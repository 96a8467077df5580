// moto server as the AWS API: real HTTP, real SDK serialization, no account needed.
import { join } from 'node:path';
import { assets } from './assets.ts';
import { freePort } from './ports.ts';
import { ManagedProcess } from './process.ts';
import { waitUntilReady } from './wait.ts';

export class MotoServer {
  readonly dir: string;
  endpoint = '';
  proc: ManagedProcess | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.endpoint = `http://127.0.0.1:${port}`;
    this.proc = new ManagedProcess({
      name: 'moto',
      command: assets.motoServer(),
      args: ['-H', '127.0.0.1', '-p', String(port)],
      logFile: join(this.dir, 'moto.log'),
    });
    this.proc.start();
    const ready = async (): Promise<boolean> => (await fetch(`${this.endpoint}/moto-api/`)).ok;
    await waitUntilReady(this.proc, { what: 'moto server', timeoutMs: 60_000, check: ready });
  }

  /** Forgets every AWS resource: each test starts from an empty account. */
  async reset(): Promise<void> {
    const res = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
  }

  /** The standard variables the AWS SDK reads; static test credentials, never real ones. */
  awsEnv(region = 'us-east-1'): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }
}
