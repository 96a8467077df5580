// Pure: the sentences of the ceilings controller that need more than one target's change —
// where it looked (region, account, namespace), what it could not find or match, and what a
// raised ceiling means. Conditions and Events use the same text so they never disagree.
import type { CostGuardStatus } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { RaisedValue } from '../actuator/words.ts';

export { driftSince, selectorText, type RaisedValue } from '../actuator/words.ts';

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

/** The CRD that serves a target kind, for "not installed" messages. */
export function crdOf(ref: string): string | undefined {
  if (ref.startsWith('NodePool/')) return 'Karpenter';
  if (ref.startsWith('ScaledObject/') || ref.startsWith('ScaledJob/')) return 'KEDA';
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

/**
 * What to check, for what is missing: the region and role only matter to Auto Scaling groups,
 * the namespace to workloads; a kind the API server does not serve needs its CRDs.
 */
function advice(missing: Missing): string {
  const absent = missing.missing.filter((r) => !missing.notInstalled.includes(r));
  const check = [
    ...(absent.length ? ['the names'] : []),
    ...(absent.some((r) => r.startsWith('asg/')) ? ['the region', 'the role'] : []),
    ...(absent.some((r) => !r.startsWith('asg/') && !r.startsWith('NodePool/')) ? ['the namespace'] : []),
  ];
  const crds = [...new Set(missing.notInstalled.map((r) => crdOf(r) ?? r))];
  const sentences = [
    ...(check.length ? [`Check ${check.length > 1 ? `${check.slice(0, -1).join(', ')} and ${check.at(-1)!}` : check[0]!}.`] : []),
    ...(crds.length ? [`Install the ${crds.join(' and ')} CRDs, or remove ${missing.notInstalled.length > 1 ? 'those targets' : 'that target'} from the guard.`] : []),
  ];
  return sentences.join(' ');
}

/** "Not found: asg/a in region …, account …; Deployment/b in namespace p. Check the names, the region, the role and the namespace." */
export function missingText(missing: Missing, scope: Scope): string {
  const groups = missing.missing.filter((t) => t.startsWith('asg/'));
  const parts = groups.length ? [`${groups.join(', ')} in ${scope.aws}`] : [];
  parts.push(...kubeMissing(missing.missing.filter((t) => !t.startsWith('asg/')), missing.notInstalled, scope.namespace));
  return `Not found: ${parts.join('; ')}. ${advice(missing)}`;
}

/** "No Auto Scaling group matched tagSelector {team: paymnets} in region …, account …. Check the tags, the region and the role." */
export function unmatchedText(selectors: readonly string[], scope: Scope): string {
  const which = selectors.map((s) => `tagSelector ${s}`).join(' or ');
  return `No Auto Scaling group matched ${which} in ${scope.aws}. Check the tags, the region and the role.`;
}


/** Whether CostGuard acts now, and why not: what a raised-ceiling sentence says comes next. */
export interface Acting {
  act: boolean;
  paused?: boolean;
}

/**
 * Targets whose ceiling is now above the value CostGuard clamped them to. A release puts such
 * a value back up to the lower of the ceiling and the recorded original in the same reconcile,
 * so while acting the value only stays below when something else holds it (a hold, another
 * guard); in DryRun or paused the release is only planned. Each sentence says which.
 */
export function raisedCeilingsText(status: Pick<CostGuardStatus, 'scalingGroups' | 'workloads'>, acting: Acting, nodePools: readonly RaisedValue[] = [], heldBy: Readonly<Record<string, string>> = {}): string | undefined {
  const values: RaisedValue[] = [
    ...(status.scalingGroups ?? []).flatMap((g) => (g.originalMaxSize !== undefined ? raisedValue({ ref: `asg/${g.name}`, field: 'MaxSize', value: g.maxSize, ceiling: g.ceiling, original: g.originalMaxSize }) : [])),
    // Deployments and StatefulSets too: a live count CostGuard lowered is given back like any ceiling.
    ...(status.workloads ?? []).flatMap((w) =>
      w.originalMaxReplicas !== undefined && w.maxReplicas !== undefined
        ? raisedValue({ ref: `${w.kind}/${w.name}`, field: workloadField(w.kind), value: w.maxReplicas, ceiling: w.ceiling, original: w.originalMaxReplicas })
        : [],
    ),
    ...nodePools,
  ];
  return values.length ? values.map((v) => raisedSentence(v, acting, heldBy[v.ref])).join(' ') : undefined;
}

function workloadField(kind: string): string {
  if (kind === 'ScaledObject' || kind === 'ScaledJob') return 'maxReplicaCount';
  return kind === 'HorizontalPodAutoscaler' ? 'maxReplicas' : 'spec.replicas';
}

function raisedValue(v: { ref: string; field: string; value: number; ceiling: number; original: number }): RaisedValue[] {
  const release = Math.min(v.ceiling, v.original);
  return v.value < v.ceiling && release > v.value ? [{ ...v, release }] : [];
}

function raisedSentence(v: RaisedValue, acting: Acting, heldBy: string | undefined): string {
  const upTo = String(v.release) === String(v.original) ? `${v.release}, its recorded original` : `${v.release}, the ceiling (its recorded original is ${v.original})`;
  const head = `The ceiling of ${v.ref} is now ${v.ceiling}, above ${v.field} ${v.value}, which CostGuard set (it was ${v.original} before):`;
  if (!acting.act) return `${head} CostGuard would release it up to ${upTo} (${acting.paused ? 'Paused' : 'DryRun'}).`;
  const holder = heldBy ?? "a hold or another guard's lower ceiling";
  return `${head} ${holder} keeps it at ${v.value} for now; CostGuard releases it up to ${upTo} once nothing holds it lower.`;
}
