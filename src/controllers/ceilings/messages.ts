// Pure: the sentences of the ceilings controller that need more than one target's change —
// where it looked (region, account, namespace), what it could not find or match, and what a
// raised ceiling means. Conditions and Events use the same text so they never disagree.
import type { CostGuardStatus, ScalingGroupStatus } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';

/** Where a guard's AWS targets are looked up, and where its Kubernetes targets live. */
export interface Scope {
  /** "region eu-west-1, account 123456789012" */
  aws: string;
  namespace: string;
}

const ARN_ACCOUNT = /^arn:[a-z-]+:iam::(\d{12}):/;

/**
 * The AWS half of a Scope. The account is the role's when the guard names one; without a
 * role CostGuard uses its own identity, whose account it does not look up.
 */
export function awsScope(target: AwsTarget, regionFromSpec: boolean): string {
  const region = `region ${target.region}${regionFromSpec ? '' : ' (the operator\'s default: the guard has no spec.aws)'}`;
  const account = target.roleArn?.match(ARN_ACCOUNT)?.[1];
  return `${region}, ${account ? `account ${account}` : 'the operator\'s account'}`;
}

/** `{team: paymnets, env: prod}`: a tag selector as the user wrote it. */
export function selectorText(tags: Readonly<Record<string, string>>): string {
  return `{${Object.entries(tags).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
}

const CHECK = 'Check the names, the region and the role.';

/** The CRD that serves a target kind, for "not installed" messages. */
export function crdOf(ref: string): string | undefined {
  if (ref.startsWith('NodePool/')) return 'Karpenter';
  if (ref.startsWith('ScaledObject/')) return 'KEDA';
  return undefined;
}

export interface Missing {
  /** Target refs that do not exist (asg/x, Deployment/y, NodePool/z). */
  missing: readonly string[];
  /** Of those, the ones whose kind is not served by the API server (CRD not installed). */
  notInstalled: readonly string[];
}

function kubeMissing(refs: readonly string[], notInstalled: readonly string[], namespace: string): string[] {
  const parts: string[] = [];
  const absent = refs.filter((r) => !notInstalled.includes(r));
  const namespaced = absent.filter((r) => !r.startsWith('NodePool/'));
  const pools = absent.filter((r) => r.startsWith('NodePool/'));
  if (namespaced.length) parts.push(`${namespaced.join(', ')} in namespace ${namespace}`);
  if (pools.length) parts.push(pools.join(', '));
  for (const ref of notInstalled) parts.push(`${ref} (${crdOf(ref) ?? 'its'} CRD not installed)`);
  return parts;
}

/** "Not found: asg/a in region …, account …; Deployment/b in namespace p. Check the names, the region and the role." */
export function missingText(missing: Missing, scope: Scope): string {
  const groups = missing.missing.filter((t) => t.startsWith('asg/'));
  const parts = groups.length ? [`${groups.join(', ')} in ${scope.aws}`] : [];
  parts.push(...kubeMissing(missing.missing.filter((t) => !t.startsWith('asg/')), missing.notInstalled, scope.namespace));
  return `Not found: ${parts.join('; ')}. ${CHECK}`;
}

/** "No Auto Scaling group matched tagSelector {team: paymnets} in region …, account …. Check the tags, the region and the role." */
export function unmatchedText(selectors: readonly string[], scope: Scope): string {
  const which = selectors.map((s) => `tagSelector ${s}`).join(' or ');
  return `No Auto Scaling group matched ${which} in ${scope.aws}. Check the tags, the region and the role.`;
}

const CLAMPED_MAX = /^clamped MaxSize \d+ → (\d+)/;

/**
 * Drift's "since": the MaxSize CostGuard last wrote and when (status.maxSizeSet), or, from a
 * status written before that field existed, an acting lastAction that set MaxSize. Pause and
 * DryRun never change either, so the value and time stay those of CostGuard's own write.
 */
export function driftSince(prior: ScalingGroupStatus | undefined, ceiling: number, recorded?: number): string {
  if (prior?.maxSizeSet) return ` (CostGuard set ${prior.maxSizeSet.value} at ${prior.maxSizeSet.time})`;
  const last = prior?.lastAction;
  const set = last?.message.match(CLAMPED_MAX)?.[1];
  if (last && set !== undefined) return ` (CostGuard set ${set} at ${last.time})`;
  // The status that knew the time was lost (e.g. a conflicting write): the group's own record
  // still says what CostGuard set.
  if (recorded !== undefined) return ` (CostGuard set ${recorded})`;
  return ` (above the ceiling ${ceiling} CostGuard holds)`;
}

/**
 * Targets whose ceiling is now above the value CostGuard clamped them to: CostGuard never
 * raises a value, so say that it stays and what it was before the first clamp.
 */
export function raisedCeilingsText(status: Pick<CostGuardStatus, 'scalingGroups' | 'workloads'>): string | undefined {
  const sentences = [
    ...(status.scalingGroups ?? []).flatMap((g) =>
      g.originalMaxSize !== undefined && g.maxSize < g.ceiling ? [raised(`asg/${g.name}`, 'MaxSize', { value: g.maxSize, ceiling: g.ceiling, original: g.originalMaxSize })] : [],
    ),
    // Deployments and StatefulSets: spec.replicas moves on its own, so being below is normal.
    ...(status.workloads ?? []).flatMap((w) =>
      (w.kind === 'HorizontalPodAutoscaler' || w.kind === 'ScaledObject') && w.originalMaxReplicas !== undefined && w.maxReplicas !== undefined && w.maxReplicas < w.ceiling
        ? [raised(`${w.kind}/${w.name}`, w.kind === 'ScaledObject' ? 'maxReplicaCount' : 'maxReplicas', { value: w.maxReplicas, ceiling: w.ceiling, original: w.originalMaxReplicas })]
        : [],
    ),
  ];
  return sentences.length ? sentences.join(' ') : undefined;
}

function raised(ref: string, field: string, v: { value: number; ceiling: number; original: number }): string {
  return (
    `The ceiling of ${ref} is now ${v.ceiling}, above ${field} ${v.value}: CostGuard never raises a value, so it stays at ${v.value} ` +
    `(it was ${v.original} before CostGuard clamped it); raise it yourself if you want more.`
  );
}
