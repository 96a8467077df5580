// Loading the operator loads no AWS SDK package: each is loaded by its adapter when a guard
// first needs that service (client-ec2 alone is about 80 MiB resident). Checked in a fresh
// process, where nothing else has imported them yet.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../../../hack/localenv/assets.ts';

const script = `
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@aws-sdk/')) seen.add(specifier); return next(specifier, context); } });
await import('./src/cli/operator.ts');
const { AwsClients } = await import('./src/cloud/aws/clients.ts');
const { EC2 } = await import('./src/cloud/aws/launch-templates.ts');
const { Registry } = await import('prom-client');
const atStart = [...seen];
// First use of one service loads that package (and nothing is sent: no call is made).
const clients = new AwsClients({ registry: new Registry(), endpoint: 'http://127.0.0.1:9' });
await clients.client(EC2, { region: 'us-east-1' });
clients.shutdown();
console.log(JSON.stringify({ atStart, afterUse: [...seen] }));
`;

describe('AWS SDK packages are loaded on first use', () => {
  it('importing the operator loads none; asking for a client loads its package', async function () {
    this.timeout(30_000);
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=costguard-source', '--input-type=module', '-e', script], { cwd: repoRoot });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { atStart: string[]; afterUse: string[] };
    assert.deepEqual(out.atStart, []);
    const clientPackages = out.afterUse.filter((s) => s.startsWith('@aws-sdk/client-'));
    assert.deepEqual(clientPackages, ['@aws-sdk/client-ec2'], 'the EC2 client and its own dependencies, no other service');
  });
});
