// The AWS account id of a target: Budgets addresses every call by account. A role ARN names
// its account; otherwise sts:GetCallerIdentity tells whose credentials the operator holds.
// Cached per target: the answer does not change while the process runs.
import { STS, type AwsClients, type AwsTarget } from './clients.ts';

const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\//;

export class AccountIds {
  private readonly clients: AwsClients;
  private readonly known = new Map<string, Promise<string>>();

  constructor(clients: AwsClients) {
    this.clients = clients;
  }

  of(target: AwsTarget): Promise<string> {
    const fromArn = target.roleArn ? ROLE_ACCOUNT.exec(target.roleArn)?.[1] : undefined;
    if (fromArn) return Promise.resolve(fromArn);
    const key = `${target.region}|${target.roleArn ?? ''}`;
    let id = this.known.get(key);
    if (!id) {
      id = this.callerAccount(target);
      // A failure is not cached: the next reconcile asks again.
      id.catch(() => this.known.delete(key));
      this.known.set(key, id);
    }
    return id;
  }

  private async callerAccount(target: AwsTarget): Promise<string> {
    const [client, { GetCallerIdentityCommand }] = await Promise.all([this.clients.client(STS, target), import('@aws-sdk/client-sts')]);
    return this.clients.call(STS.name, 'GetCallerIdentity', async () => {
      const out = await client.send(new GetCallerIdentityCommand({}));
      if (!out.Account) throw new Error('GetCallerIdentity returned no account');
      return out.Account;
    });
  }
}
