import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { FaultProxy } from '../../support/fault-proxy.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An upstream that records what reached it and answers 200 "upstream". */
async function startUpstream(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' }).end('upstream');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const form = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });

describe('FaultProxy', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: FaultProxy;
  beforeEach(async () => {
    upstream = await startUpstream();
    proxy = await FaultProxy.start(upstream.url);
  });
  afterEach(async () => {
    await proxy.close();
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('listens on 127.0.0.1 only', () => {
    assert.match(proxy.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('forwards method, path, headers (Host included) and body, and records the Action', async () => {
    const res = await fetch(`${proxy.endpoint}/some/path?x=1`, form('Action=DescribeAutoScalingGroups&Version=2011-01-01&MaxRecords=100'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-upstream'), 'yes');
    assert.equal(await res.text(), 'upstream');
    const [seen] = upstream.seen;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.url, '/some/path?x=1');
    assert.equal(seen?.headers.host, new URL(proxy.endpoint).host, 'Host is forwarded unchanged so signatures stay valid');
    assert.equal(seen?.body, 'Action=DescribeAutoScalingGroups&Version=2011-01-01&MaxRecords=100');
    assert.deepEqual(proxy.requests, [{
      method: 'POST', path: '/some/path?x=1', action: 'DescribeAutoScalingGroups',
      params: { Action: 'DescribeAutoScalingGroups', Version: '2011-01-01', MaxRecords: '100' }, accessKeyId: undefined, status: 200, injected: false,
    }]);
  });

  it('takes the action of a JSON-protocol request from X-Amz-Target', async () => {
    await fetch(proxy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSBudgetServiceGateway.DescribeBudget' }, body: '{}' });
    assert.equal(proxy.requests[0]?.action, 'DescribeBudget');
    assert.equal(proxy.count('DescribeBudget'), 1);
  });

  it('answers the next N matching requests with a query-protocol error, then forwards again', async () => {
    proxy.inject({ action: 'UpdateAutoScalingGroup', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 2 });
    const statuses: number[] = [];
    for (const action of ['DescribeAutoScalingGroups', 'UpdateAutoScalingGroup', 'UpdateAutoScalingGroup', 'UpdateAutoScalingGroup']) {
      const res = await fetch(proxy.endpoint, form(`Action=${action}`));
      statuses.push(res.status);
      if (res.status === 400) {
        assert.equal(await res.text(), '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy-0000</RequestId></ErrorResponse>');
      } else {
        await res.text();
      }
    }
    assert.deepEqual(statuses, [200, 400, 400, 200]);
    assert.equal(upstream.seen.length, 2, 'injected answers never reach upstream');
    assert.deepEqual(proxy.requests.map((r) => r.injected), [false, true, true, false]);
  });

  it('answers JSON-protocol callers in JSON', async () => {
    proxy.inject({ status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
    const res = await fetch(proxy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSBudgetServiceGateway.DescribeBudget' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ThrottlingException');
    assert.deepEqual(await res.json(), { __type: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('speaks a dialect the AWS SDK parses into the injected error code', async () => {
    proxy.inject({ status: 400, code: 'Throttling', message: 'Rate exceeded' });
    const client = new AutoScalingClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const err = (await client.send(new DescribeAutoScalingGroupsCommand({})).catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode?: number; requestId?: string } };
      assert.equal(err.name, 'Throttling');
      assert.equal(err.message, 'Rate exceeded');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.$metadata.requestId, 'fault-proxy-0000');
      assert.equal(proxy.requests[0]?.accessKeyId, 'testing', 'the signing key id, from the Authorization header');
    } finally {
      client.destroy();
    }
  });

  it('can drop the connection instead of answering', async () => {
    proxy.inject({ reset: true });
    await assert.rejects(fetch(proxy.endpoint, form('Action=X')));
    assert.equal(proxy.requests[0]?.status, 0);
    assert.equal(upstream.seen.length, 0);
  });

  it('reset() forgets recorded requests and pending faults', async () => {
    proxy.inject({ status: 503, code: 'ServiceUnavailable', times: 5 });
    await (await fetch(proxy.endpoint, form('Action=X'))).text();
    proxy.reset();
    assert.equal(proxy.count(), 0);
    const res = await fetch(proxy.endpoint, form('Action=X'));
    assert.equal(res.status, 200);
    await res.text();
  });

  it('answers 502 when upstream is unreachable', async () => {
    const dead = await FaultProxy.start('http://127.0.0.1:1');
    try {
      const res = await fetch(dead.endpoint, form('Action=X'));
      assert.equal(res.status, 502);
      assert.equal(dead.requests[0]?.status, 502);
    } finally {
      await dead.close();
    }
  });
});
