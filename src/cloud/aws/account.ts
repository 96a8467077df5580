// The AWS account a target's credentials reach, from sts:GetCallerIdentity under exactly those
// credentials (the role assumed, or the operator's own identity). Budgets addresses every call
// by account, and the actuator knows a target by what it is — account, region, group name —
// not by the credentials that reached it: two guards on one group through two roles are peers.
// Cached per region and role: the answer does not change while the process runs.
import { STS, type AwsClients, type AwsTarget } from './clients.ts';

const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\//;

/** The account a role ARN names; what GetCallerIdentity under that role answers on AWS. */
export function accountInRoleArn(roleArn: string): string | undefined {
  return ROLE_ACCOUNT.exec(roleArn)?.[1];
}

/** Region and role: the credentials GetCallerIdentity answers for (the session name does not change the account). */
function credentialKey(target: AwsTarget): string {
  return `${target.region}|${target.roleArn ?? ''}`;
}

/** How long a failed answer stands before STS is asked again: an outage must not cost every reconcile a call. */
const RETRY_AFTER_MS = 60_000;

export class AccountIds {
  private readonly clients: AwsClients;
  private readonly now: () => number;
  private readonly asked = new Map<string, Promise<string>>();
  private readonly resolved = new Map<string, string>();
  private readonly failed = new Map<string, { atMs: number; error: Error }>();
  private resolutions = 0;

  constructor(clients: AwsClients, now: () => number = Date.now) {
    this.clients = clients;
    this.now = now;
  }

  /** The account behind `target`'s credentials; asks STS once per region and role (again a minute after a failure). */
  of(target: AwsTarget): Promise<string> {
    const key = credentialKey(target);
    const failure = this.failed.get(key);
    if (failure && this.now() - failure.atMs < RETRY_AFTER_MS) return Promise.reject(failure.error);
    let id = this.asked.get(key);
    if (!id) {
      id = this.callerAccount(target).then((account) => {
        this.resolved.set(key, account);
        this.failed.delete(key);
        this.resolutions += 1;
        return account;
      });
      id.catch((error: unknown) => {
        this.asked.delete(key);
        this.failed.set(key, { atMs: this.now(), error: error instanceof Error ? error : new Error(String(error)) });
      });
      this.asked.set(key, id);
    }
    return id;
  }

  /**
   * What is known without waiting: the answer STS gave, else the account a role ARN names,
   * else undefined (the operator's own identity, not asked yet).
   */
  known(target: AwsTarget): string | undefined {
    return this.resolved.get(credentialKey(target)) ?? (target.roleArn ? accountInRoleArn(target.roleArn) : undefined);
  }

  /** Grows each time an answer arrives: caches keyed on `known` are stale when it moved. */
  get generation(): number {
    return this.resolutions;
  }

  private async callerAccount(target: AwsTarget): Promise<string> {
    const [client, { GetCallerIdentityCommand }] = await Promise.all([this.clients.client(STS, target), import('@aws-sdk/client-sts')]);
    return this.clients.call(STS.name, 'GetCallerIdentity', async () => {
      const out = await client.send(new GetCallerIdentityCommand({}), this.clients.sendOptions());
      if (!out.Account) throw new Error('GetCallerIdentity returned no account');
      return out.Account;
    });
  }
}
