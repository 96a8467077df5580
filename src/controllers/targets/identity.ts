// Targets are known by what they are, not by the credentials that reached them. An Auto
// Scaling group is (account, region, name): the account comes from sts:GetCallerIdentity
// under the role the guard uses (cloud/aws/account.ts), so two guards reaching one group
// through two roles — the per-namespace role pattern the docs recommend — are peers of each
// other, and neither raises what the other lowered. In-cluster targets are already known by
// namespace/kind/name.
import type { AwsTarget } from '../../cloud/aws/clients.ts';

/** What the shared observation needs of the account lookup. */
export interface TargetAccounts {
  /** The account behind the target's credentials (cached after the first answer). */
  of(target: AwsTarget): Promise<string>;
  /** The account known without waiting, if any. */
  known(target: AwsTarget): string | undefined;
  /** Moves whenever a new answer arrives. */
  readonly generation: number;
}

/**
 * "<region>|<account>" for peers; until the account is known, "<region>|role <arn>" (or
 * "operator"), which only ever splits peers that are one — never joins two accounts.
 */
export function accountKey(target: AwsTarget, accounts: TargetAccounts | undefined): string {
  const account = accounts?.known(target);
  return account ? `${target.region}|${account}` : `${target.region}|role ${target.roleArn ?? 'operator'}`;
}

/**
 * Asks for every target's account before peers are computed. Returns the targets whose answer
 * failed: their key falls back to the role (see accountKey) until a later reconcile asks again.
 */
export async function learnAccounts(accounts: TargetAccounts | undefined, targets: readonly AwsTarget[]): Promise<Set<AwsTarget>> {
  if (!accounts) return new Set();
  const answers = await Promise.allSettled(targets.map((t) => accounts.of(t)));
  return new Set(targets.filter((_, i) => answers[i]!.status === 'rejected'));
}
