// Pure: the operator-level tenancy policy. A namespaced CostGuard could otherwise clamp
// cluster-scoped NodePools, any Auto Scaling group in the operator's account, and make the
// operator assume any role its IAM policy allows. The policy (operator flags / Helm values)
// says which namespaces may target NodePools, which may act on AWS, and which role ARNs a
// guard may name. The default ("*" everywhere) suits a single-team cluster; anything outside
// the policy is refused with a clear condition, and the guard's other targets still hold.
import type { CostGuard, CostGuardSpec } from '../../api/v1alpha1/index.ts';

export interface TenancyPolicy {
  /** Namespaces whose guards may target NodePools; "*" allows all. */
  nodePoolNamespaces: readonly string[];
  /** Namespaces whose guards may act on AWS; "*" allows all. */
  awsNamespaces: readonly string[];
  /** Glob ("*" wildcards) for spec.aws.roleArn; "{namespace}" is the guard's namespace. */
  roleArnPattern: string;
}

export const OPEN_POLICY: TenancyPolicy = { nodePoolNamespaces: ['*'], awsNamespaces: ['*'], roleArnPattern: '*' };

function allows(list: readonly string[], namespace: string): boolean {
  return list.includes('*') || list.includes(namespace);
}

/** "*" matches any run of characters; everything else is literal. */
export function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

export interface TenancyVerdict {
  /** One sentence per refused part, naming the field and the operator setting. */
  refused: string[];
  /** The spec with the refused parts removed: what the guard may still read and enforce. */
  spec: CostGuardSpec;
  /** False when the guard may not reach AWS at all (namespace or role refused). */
  aws: boolean;
  /** False when the guard may not touch NodePools. */
  nodePools: boolean;
}

/** Every part of a spec that reaches AWS, by field: each is read or written under the guard's role. */
function awsParts(spec: CostGuardSpec): string[] {
  return [
    ...(spec.scalingGroups?.length ? ['spec.scalingGroups'] : []),
    ...(spec.runaway?.signals?.sqs ? ['spec.runaway.signals.sqs'] : []),
    ...(spec.cost?.budget ? ['spec.cost.budget'] : []),
    ...(spec.cost?.anomaly ? ['spec.cost.anomaly'] : []),
    ...(spec.aws?.roleArn ? ['spec.aws'] : []),
  ];
}

/** The spec without anything that reaches AWS. */
function withoutAws(spec: CostGuardSpec): CostGuardSpec {
  const out: CostGuardSpec = { ...spec };
  delete out.scalingGroups;
  delete out.aws;
  if (out.runaway?.signals?.sqs) {
    const signals = { ...out.runaway.signals };
    delete signals.sqs;
    out.runaway = { ...out.runaway, signals };
  }
  if (out.cost && (out.cost.budget || out.cost.anomaly)) {
    const cost = { ...out.cost };
    delete cost.budget;
    delete cost.anomaly;
    out.cost = cost;
  }
  return out;
}

/**
 * The boundary: what the policy lets this guard read and write. Every consumer (the actuator,
 * peers, restore, cost and Budgets, the runaway signal sources, the shared snapshots) reads the
 * guard through this view and never its raw spec, so a refused part is neither read nor written.
 * Memoised per guard object and policy: the informer hands out a new object on every change.
 */
export function applyTenancy(guard: CostGuard, policy: TenancyPolicy): TenancyVerdict {
  let byPolicy = verdicts.get(guard);
  if (!byPolicy) verdicts.set(guard, (byPolicy = new WeakMap()));
  let verdict = byPolicy.get(policy);
  if (!verdict) byPolicy.set(policy, (verdict = decide(guard, policy)));
  return verdict;
}

/** The refusals that name a part of the spec under `field` (e.g. "spec.cost."), for that section's condition. */
export function refusalsUnder(verdict: TenancyVerdict, field: string): string[] {
  return verdict.refused.filter((r) => r.includes(field));
}

const verdicts = new WeakMap<CostGuard, WeakMap<TenancyPolicy, TenancyVerdict>>();
const guards = new WeakMap<CostGuard, WeakMap<TenancyPolicy, CostGuard>>();

/** The guard as the policy permits it: itself when nothing is refused, else a copy with the permitted spec. */
export function permittedGuard(guard: CostGuard, policy: TenancyPolicy): CostGuard {
  let byPolicy = guards.get(guard);
  if (!byPolicy) guards.set(guard, (byPolicy = new WeakMap()));
  let permitted = byPolicy.get(policy);
  if (!permitted) {
    const verdict = applyTenancy(guard, policy);
    permitted = verdict.refused.length ? { ...guard, spec: verdict.spec } : guard;
    byPolicy.set(policy, permitted);
  }
  return permitted;
}

function decide(guard: CostGuard, policy: TenancyPolicy): TenancyVerdict {
  const namespace = guard.metadata.namespace ?? '';
  let spec: CostGuardSpec = { ...guard.spec };
  const refused: string[] = [];
  const nodePools = allows(policy.nodePoolNamespaces, namespace);
  if (spec.nodePools?.length && !nodePools) {
    refused.push(`spec.nodePools: namespace ${namespace} may not target NodePools (operator setting nodepool-namespaces)`);
    delete spec.nodePools;
  }
  const parts = awsParts(spec);
  const awsRefusal = parts.length ? awsNamespaceRefusal(parts, namespace, policy) ?? roleRefusal(spec, parts, namespace, policy) : undefined;
  if (awsRefusal) {
    refused.push(awsRefusal);
    spec = withoutAws(spec);
  }
  return { refused, spec, aws: awsRefusal === undefined, nodePools };
}

function awsNamespaceRefusal(parts: readonly string[], namespace: string, policy: TenancyPolicy): string | undefined {
  if (allows(policy.awsNamespaces, namespace)) return undefined;
  const named = parts.filter((p) => p !== 'spec.aws');
  return `${(named.length ? named : parts).join(', ')}: namespace ${namespace} may not act on AWS (operator setting aws-namespaces)`;
}

function roleRefusal(spec: CostGuardSpec, parts: readonly string[], namespace: string, policy: TenancyPolicy): string | undefined {
  const roleArn = spec.aws?.roleArn;
  if (!roleArn) return undefined;
  if (globMatches(policy.roleArnPattern.replaceAll('{namespace}', namespace), roleArn)) return undefined;
  const unused = parts.filter((p) => p !== 'spec.aws');
  const also = unused.length ? `; not read or written under it: ${unused.join(', ')}` : '';
  return `spec.aws.roleArn: ${roleArn} is not allowed for namespace ${namespace} (operator setting role-arn-pattern)${also}`;
}
