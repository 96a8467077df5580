// The account behind a target's credentials (cloud/aws/account.ts): asked of STS once per region
// and role, known at once for a role ARN, and after a failure not asked again for a minute, so
// an STS outage does not cost every reconcile a call.
import assert from 'node:assert/strict';
import { AccountIds } from '../../../src/cloud/aws/account.ts';
import type { AwsClients } from '../../../src/cloud/aws/clients.ts';

function fakeClients(answer: () => Promise<{ Account?: string }>): { clients: AwsClients; calls: () => number } {
  let calls = 0;
  const clients = {
    client: () => Promise.resolve({ send: () => ((calls += 1), answer()) }),
    call: (_s: string, _o: string, fn: () => Promise<unknown>) => fn(),
    sendOptions: () => ({}),
  } as unknown as AwsClients;
  return { clients, calls: () => calls };
}

describe('AccountIds', () => {
  const role = { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/team-a' };

  it('asks once per region and role, and moves its generation when an answer arrives', async () => {
    const fake = fakeClients(() => Promise.resolve({ Account: '111122223333' }));
    const ids = new AccountIds(fake.clients);
    assert.equal(ids.known({ region: 'us-east-1' }), undefined, 'the operator\'s own account is not guessed');
    assert.equal(ids.known(role), '111122223333', 'a role ARN names its account before STS answers');
    assert.equal(await ids.of(role), '111122223333');
    assert.equal(await ids.of({ ...role, session: { namespace: 'a', name: 'b' } }), '111122223333');
    assert.equal(fake.calls(), 1);
    assert.equal(ids.generation, 1);
  });

  it('after a failure, answers with it for a minute without asking, then asks again', async () => {
    let now = 0;
    let fail = true;
    const fake = fakeClients(() => (fail ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ Account: '444455556666' })));
    const ids = new AccountIds(fake.clients, () => now);
    const own = { region: 'us-east-1' };
    await assert.rejects(ids.of(own), /ECONNREFUSED/);
    now = 59_000;
    await assert.rejects(ids.of(own), /ECONNREFUSED/);
    assert.equal(fake.calls(), 1, 'not asked again within the minute');
    fail = false;
    now = 60_000;
    assert.equal(await ids.of(own), '444455556666');
    assert.equal(fake.calls(), 2);
    assert.equal(ids.known(own), '444455556666');
  });
});
