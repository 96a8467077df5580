import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { AUTOSCALING, autoScalingApi } from '../../../src/cloud/aws/autoscaling.ts';
import { AwsClients, type AwsClientConfig, type AwsService } from '../../../src/cloud/aws/clients.ts';
import { CloudError, FENCED_CODE } from '../../../src/cloud/errors.ts';
import { WriteFence } from '../../../src/runtime/fence.ts';

interface FakeClient {
  config: AwsClientConfig;
  destroyed: boolean;
  destroy(): void;
}

function fakeService(name: string): AwsService<FakeClient> & { created: FakeClient[] } {
  const created: FakeClient[] = [];
  return {
    name,
    created,
    create: (config) => {
      const client: FakeClient = { config, destroyed: false, destroy: () => (client.destroyed = true) };
      created.push(client);
      return client;
    },
  };
}

describe('AwsClients', () => {
  let clients: AwsClients;
  afterEach(() => clients?.shutdown());

  it('caches one client per (service, region, roleArn)', async () => {
    clients = new AwsClients({ registry: new Registry() });
    const asg = fakeService('autoscaling');
    const budgets = fakeService('budgets');
    const a = await clients.client(asg, { region: 'us-east-1' });
    assert.equal(await clients.client(asg, { region: 'us-east-1' }), a);
    assert.notEqual(await clients.client(asg, { region: 'eu-west-1' }), a);
    assert.notEqual(await clients.client(asg, { region: 'us-east-1', roleArn: 'arn:aws:iam::1:role/a' }), a);
    assert.notEqual(await clients.client(budgets, { region: 'us-east-1' }), a);
    assert.equal(asg.created.length, 3);
  });

  it('configures region, retries and timeouts, and no credentials of its own without a role', async () => {
    clients = new AwsClients({ registry: new Registry(), maxAttempts: 2, requestTimeoutMs: 5000 });
    const { config } = await clients.client(fakeService('autoscaling'), { region: 'us-west-2' });
    assert.equal(config.region, 'us-west-2');
    assert.equal(config.maxAttempts, 2);
    assert.deepEqual(config.requestHandler, { connectionTimeout: 3000, requestTimeout: 5000 });
    assert.equal(config.credentials, undefined, 'the SDK default chain (IRSA, env, instance profile) applies');
    assert.equal(config.endpoint, undefined, 'AWS_ENDPOINT_URL is left to the SDK');
  });

  it('shares one assumed-role credential provider between services of the same target', async () => {
    clients = new AwsClients({ registry: new Registry(), endpoint: 'http://127.0.0.1:1' });
    const target = { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard' };
    const asg = await clients.client(fakeService('autoscaling'), target);
    const budgets = await clients.client(fakeService('budgets'), target);
    assert.equal(typeof asg.config.credentials, 'function');
    assert.equal(asg.config.credentials, budgets.config.credentials);
    assert.equal(asg.config.endpoint, 'http://127.0.0.1:1');
    const other = await clients.client(fakeService('autoscaling'), { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/other' });
    assert.notEqual(other.config.credentials, asg.config.credentials);
  });

  it('validates its arguments up front', () => {
    assert.throws(() => new AwsClients({ registry: new Registry(), maxAttempts: 0 }), TypeError);
    clients = new AwsClients({ registry: new Registry() });
    assert.throws(() => clients.client(fakeService('autoscaling'), { region: '' }), /region is required/);
  });

  it('destroys its clients on shutdown', async () => {
    clients = new AwsClients({ registry: new Registry() });
    const service = fakeService('autoscaling');
    const client = await clients.client(service, { region: 'us-east-1' });
    clients.shutdown();
    assert.equal(client.destroyed, true);
    assert.notEqual(await clients.client(service, { region: 'us-east-1' }), client);
  });

  it('builds a client only when it is first asked for, and retries a creation that failed', async () => {
    clients = new AwsClients({ registry: new Registry() });
    let attempts = 0;
    const flaky = {
      name: 'autoscaling',
      create: (config: AwsClientConfig): Promise<FakeClient> => {
        attempts++;
        if (attempts === 1) return Promise.reject(new Error('module failed to load'));
        return Promise.resolve({ config, destroyed: false, destroy: () => undefined });
      },
    };
    assert.equal(attempts, 0);
    await assert.rejects(clients.client(flaky, { region: 'us-east-1' }), /module failed to load/);
    const client = await clients.client(flaky, { region: 'us-east-1' });
    assert.equal(client.config.region, 'us-east-1');
    assert.equal(attempts, 2);
  });

  it('runs calls through the shared guard', async () => {
    const registry = new Registry();
    clients = new AwsClients({ registry });
    await assert.rejects(clients.call('autoscaling', 'Describe', () => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNRESET' }))), { kind: 'Unavailable' });
    assert.match(await registry.metrics(), /costguard_aws_calls_total\{service="autoscaling",operation="Describe",outcome="unavailable"\} 1/);
  });
});

describe('AwsClients write fence', () => {
  it('refuses every call unsent once the fence is aborted, and hands the fence to the SDK as abortSignal', async () => {
    const fence = new AbortController();
    const clients = new AwsClients({ registry: new Registry(), fence: fence.signal });
    assert.equal(clients.sendOptions().abortSignal, fence.signal);
    let sent = 0;
    assert.equal(await clients.call('autoscaling', 'DescribeAutoScalingGroups', () => Promise.resolve(++sent)), 1);
    fence.abort(new Error('leadership lost'));
    await assert.rejects(
      clients.call('autoscaling', 'UpdateAutoScalingGroup', () => Promise.resolve(++sent)),
      (err: unknown) => err instanceof Error && /UpdateAutoScalingGroup failed \(Unavailable, LeadershipLost\)/.test(err.message),
    );
    assert.equal(sent, 1, 'the call after the fence closed was never sent');
  });
});

describe('AwsClients deadline fence, checked when each attempt is sent', () => {
  /** A deadline fence whose clock the test moves, with timers that never fire (a late timer). */
  function stalledFence(deadline: number): { fence: WriteFence; at: (t: number) => void } {
    let now = 0;
    const clock = { now: () => now, setTimeout: () => ({ __timer: true as const }), clearTimeout: () => undefined };
    const fence = new WriteFence(clock);
    fence.openUntil(deadline);
    return { fence, at: (t) => void (now = t) };
  }

  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  before(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }));
  after(() => {
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('refuses an SDK attempt that goes out after the deadline, though call() let it in before', async () => {
    let received = 0;
    const server = createServer((_req, res) => {
      received += 1;
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<UpdateAutoScalingGroupResponse/>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { fence, at } = stalledFence(10_000);
    const clients = new AwsClients({ registry: new Registry(), fence, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxAttempts: 1 });
    try {
      const asg = autoScalingApi(clients, { region: 'us-east-1' });
      at(9_999);
      await asg.updateAutoScalingGroup({ AutoScalingGroupName: 'g', MaxSize: 4 });
      assert.equal(received, 1, 'before the deadline the write goes out');
      // Admitted by call() at 9,999, sent at 10,000: a slow credential fetch or a limiter slot in between.
      const client = await clients.client(AUTOSCALING, { region: 'us-east-1' });
      const { UpdateAutoScalingGroupCommand } = await import('@aws-sdk/client-auto-scaling');
      await assert.rejects(
        clients.call('autoscaling', 'UpdateAutoScalingGroup', () => {
          at(10_000);
          return client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MaxSize: 3 }), clients.sendOptions());
        }),
        (err: unknown) => err instanceof CloudError && err.code === FENCED_CODE,
      );
      assert.equal(received, 1, 'the attempt past the deadline was never sent');
    } finally {
      clients.shutdown();
      server.close();
    }
  });
});
