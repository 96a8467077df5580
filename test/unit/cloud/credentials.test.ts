import assert from 'node:assert/strict';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { assumeRole, cachedCredentials, REFRESH_BEFORE_MS, sessionName, sessionTags, type AwsCredentials } from '../../../src/cloud/aws/credentials.ts';

const HOUR = 3_600_000;

describe('cachedCredentials', () => {
  let now: number;
  let fetches: number;
  const fetch = (): Promise<AwsCredentials> => {
    fetches += 1;
    return Promise.resolve({ accessKeyId: `key-${fetches}`, secretAccessKey: 's', expiration: new Date(now + HOUR) });
  };
  beforeEach(() => {
    now = Date.UTC(2025, 0, 1);
    fetches = 0;
  });

  it('reuses credentials until shortly before they expire', async () => {
    const provider = cachedCredentials(fetch, { now: () => now });
    assert.equal((await provider()).accessKeyId, 'key-1');
    now += HOUR - REFRESH_BEFORE_MS - 1;
    assert.equal((await provider()).accessKeyId, 'key-1');
    now += 2;
    assert.equal((await provider()).accessKeyId, 'key-2');
    assert.equal(fetches, 2);
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    const provider = cachedCredentials(fetch, { now: () => now });
    const all = await Promise.all([provider(), provider(), provider()]);
    assert.equal(fetches, 1);
    assert.ok(all.every((c) => c.accessKeyId === 'key-1'));
  });

  it('does not cache a failure', async () => {
    let fail = true;
    const provider = cachedCredentials(() => (fail ? Promise.reject(new Error('sts down')) : fetch()), { now: () => now });
    await assert.rejects(provider(), /sts down/);
    fail = false;
    assert.equal((await provider()).accessKeyId, 'key-1');
  });

  it('keeps credentials without an expiration forever', async () => {
    const provider = cachedCredentials(() => ((fetches += 1), Promise.resolve({ accessKeyId: 'static', secretAccessKey: 's' })), { now: () => now });
    await provider();
    now += 100 * HOUR;
    await provider();
    assert.equal(fetches, 1);
  });
});

describe('assumeRole', () => {
  it("asks STS for the role with session name 'costguard' and maps the credentials", async () => {
    const sent: AssumeRoleCommand[] = [];
    const expiration = new Date(Date.UTC(2025, 0, 1, 1));
    const sts = {
      send: (command: AssumeRoleCommand) => {
        sent.push(command);
        return Promise.resolve({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration }, $metadata: {} });
      },
    };
    const ops: string[] = [];
    const provider = assumeRole({
      roleArn: 'arn:aws:iam::123456789012:role/costguard',
      sts: sts,
      guard: (op, fn) => (ops.push(op), fn()),
    });
    assert.deepEqual(await provider(), { accessKeyId: 'ASIA1', secretAccessKey: 'secret', sessionToken: 'token', expiration });
    assert.ok(sent[0] instanceof AssumeRoleCommand);
    assert.deepEqual(sent[0]?.input, { RoleArn: 'arn:aws:iam::123456789012:role/costguard', RoleSessionName: 'costguard', DurationSeconds: 3600 });
    assert.deepEqual(ops, ['AssumeRole']);
  });

  it('names the session after the guard, within AWS limits', () => {
    assert.equal(sessionName({ namespace: 'team-a', name: 'orders' }), 'costguard-team-a-orders');
    assert.equal(sessionName(undefined), 'costguard');
    const long = sessionName({ namespace: 'n'.repeat(63), name: 'g'.repeat(253) });
    assert.equal(long.length, 64);
    assert.match(long, /^costguard-n+-[0-9a-f]{8}$/);
    assert.notEqual(long, sessionName({ namespace: 'n'.repeat(63), name: `${'g'.repeat(252)}h` }), 'long names stay distinct');
    assert.match(sessionName({ namespace: 'a', name: 'b:c' }), /^[\w+=,.@-]+$/);
  });

  it("tags the guard's session with its namespace and name", async () => {
    const sent: AssumeRoleCommand[] = [];
    const sts = { send: (c: AssumeRoleCommand) => (sent.push(c), Promise.resolve({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S' }, $metadata: {} })) };
    await assumeRole({ roleArn: 'arn:aws:iam::1:role/costguard-a', sts: sts, session: { namespace: 'team-a', name: 'orders' } })();
    assert.deepEqual(sent[0]?.input, {
      RoleArn: 'arn:aws:iam::1:role/costguard-a',
      RoleSessionName: 'costguard-team-a-orders',
      DurationSeconds: 3600,
      Tags: [
        { Key: 'costguard-namespace', Value: 'team-a' },
        { Key: 'costguard-guard', Value: 'orders' },
      ],
    });
  });

  it('sends no session tags with --aws-session-tags=false, and keeps the session name', async () => {
    const sent: AssumeRoleCommand[] = [];
    const sts = { send: (c: AssumeRoleCommand) => (sent.push(c), Promise.resolve({ Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S' }, $metadata: {} })) };
    await assumeRole({ roleArn: 'arn:aws:iam::1:role/costguard-a', sts: sts, session: { namespace: 'team-a', name: 'orders' }, tagSession: false })();
    assert.deepEqual(sent[0]?.input, { RoleArn: 'arn:aws:iam::1:role/costguard-a', RoleSessionName: 'costguard-team-a-orders', DurationSeconds: 3600 });
  });

  it('keeps session tag values within AWS limits', () => {
    assert.deepEqual(sessionTags(undefined), [], 'no guard, no tags (the operator\'s own calls)');
    const [ns, guard] = sessionTags({ namespace: 'a', name: `${'g'.repeat(300)}` });
    assert.equal(ns?.Value, 'a');
    assert.equal(guard?.Value, 'g'.repeat(256));
    assert.equal(sessionTags({ namespace: 'a', name: 'b#c*d é' })[1]?.Value, 'b-c-d é', 'letters and spaces stay, other characters become -');
    const emoji = sessionTags({ namespace: 'a', name: `${'x'.repeat(255)}\u{1F600}\u{1F600}` })[1]?.Value ?? '';
    assert.equal([...emoji].length, 256, 'the cut counts characters');
    assert.ok(emoji.endsWith('-'), 'a character AWS does not allow becomes -, never half a character');
  });

  it('rejects an answer without credentials', async () => {
    const provider = assumeRole({ roleArn: 'arn:aws:iam::1:role/x', sts: { send: () => Promise.resolve({ $metadata: {} }) } });
    await assert.rejects(provider(), /returned no credentials/);
  });
});
