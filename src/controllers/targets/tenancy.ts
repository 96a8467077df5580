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
  /** The spec with the refused parts removed: what the guard may still enforce. */
  spec: CostGuardSpec;
}

export function applyTenancy(guard: CostGuard, policy: TenancyPolicy): TenancyVerdict {
  const namespace = guard.metadata.namespace ?? '';
  const spec: CostGuardSpec = { ...guard.spec };
  const refused: string[] = [];
  if (spec.nodePools?.length && !allows(policy.nodePoolNamespaces, namespace)) {
    refused.push(`spec.nodePools: namespace ${namespace} may not target NodePools (operator setting nodepool-namespaces)`);
    delete spec.nodePools;
  }
  const usesAws = !!spec.scalingGroups?.length;
  if (usesAws && !allows(policy.awsNamespaces, namespace)) {
    refused.push(`spec.scalingGroups: namespace ${namespace} may not act on AWS (operator setting aws-namespaces)`);
    delete spec.scalingGroups;
  }
  const role = roleRefusal(spec, namespace, policy);
  if (role) {
    refused.push(role);
    delete spec.scalingGroups;
  }
  return { refused, spec };
}

function roleRefusal(spec: CostGuardSpec, namespace: string, policy: TenancyPolicy): string | undefined {
  const roleArn = spec.aws?.roleArn;
  if (!spec.scalingGroups?.length || !roleArn) return undefined;
  if (globMatches(policy.roleArnPattern.replaceAll('{namespace}', namespace), roleArn)) return undefined;
  return `spec.aws.roleArn: ${roleArn} is not allowed for namespace ${namespace} (operator setting role-arn-pattern)`;
}
