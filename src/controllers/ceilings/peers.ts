// Pure: the ceilings other guards hold on the targets this guard observed. Two guards that
// name the same Auto Scaling group, workload or NodePool never fight: each applies the lowest
// of all their caps (see caps.ts), reports the overlap, and a guard deleted with Restore never
// raises a target above a remaining guard's ceiling.
//
// Only guards that act count: Enforce, not paused, not being deleted. A DryRun or paused
// guard's ceiling is not applied on its behalf by another guard.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { matchesSelector } from '../../cloud/scaling-groups.ts';
import { targetKey } from './group-snapshots.ts';
import { effectiveCap, holdsOn } from '../shared/holds.ts';
import { asgRef, nodePoolRef, workloadRef, type ObservedCeilings, type PeerCeiling } from './observed.ts';
import { ownerOf } from './records.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import { isEnforcing } from '../shared/pause.ts';

export function acts(guard: CostGuard): boolean {
  return isEnforcing(guard) && !guard.metadata.deletionTimestamp;
}

/** The lowest integer cap a guard puts on one group: every matching entry, then its holds. */
function groupCap(guard: CostGuard, group: { name: string; tags: Readonly<Record<string, string>> }): number | undefined {
  const entries = (guard.spec.scalingGroups ?? []).filter((e) => (e.name !== undefined ? e.name === group.name : matchesSelector(group.tags, e.tagSelector ?? {})));
  if (!entries.length) return undefined;
  const spec = Math.min(...entries.map((e) => e.maxSize));
  return effectiveCap(spec, holdsOn(guard.status, asgRef(group.name))).value;
}

function groupPeers(guard: CostGuard, observed: ObservedCeilings): PeerCeiling[] {
  const groups = observed.groups.flatMap((e) => e.found);
  return groups.flatMap((g) => {
    const value = groupCap(guard, g);
    return value === undefined ? [] : [{ guard: ownerOf(guard), target: asgRef(g.name), value }];
  });
}

/**
 * What one guard contributes as a peer wherever it is asked for: computed once per guard
 * object. The informer hands out a new object on every change (spec, annotations, status
 * holds), so a cached entry is never stale, and with many guards on one target each resync
 * reads these instead of re-deriving them for every pair of guards.
 */
interface PeerFacts {
  owner: string;
  acts: boolean;
  namespace: string | undefined;
  awsKey: string;
  /** workloadRef → this guard's ceiling on it (its first entry naming it, holds applied). */
  workloads: Map<string, PeerCeiling>;
  /** NodePool name → its limits and its holds' limits on the pool. */
  nodePools: Map<string, PeerCeiling[]>;
}

function workloadFacts(guard: CostGuard, owner: string): Map<string, PeerCeiling> {
  const out = new Map<string, PeerCeiling>();
  for (const w of guard.spec.workloads ?? []) {
    const target = workloadRef(w);
    if (!out.has(target)) out.set(target, { guard: owner, target, value: effectiveCap(w.maxReplicas, holdsOn(guard.status, target)).value });
  }
  return out;
}

function nodePoolFacts(guard: CostGuard, owner: string): Map<string, PeerCeiling[]> {
  const out = new Map<string, PeerCeiling[]>();
  for (const p of guard.spec.nodePools ?? []) {
    if (out.has(p.name)) continue;
    const target = nodePoolRef(p.name);
    // Their holds on the pool count too; the decision takes the lowest of all entries per limit.
    const held = holdsOn(guard.status, target).flatMap((h) => (h.limits ? [h.limits] : []));
    out.set(p.name, [p.limits, ...held].map((limits) => ({ guard: owner, target, limits })));
  }
  return out;
}

/** Per awsTargetOf function (it carries the operator's default region), per guard object. */
const factsCache = new WeakMap<(guard: CostGuard) => AwsTarget, WeakMap<CostGuard, PeerFacts>>();

function factsOf(guard: CostGuard, awsTargetOf: (guard: CostGuard) => AwsTarget): PeerFacts {
  let byGuard = factsCache.get(awsTargetOf);
  if (!byGuard) factsCache.set(awsTargetOf, (byGuard = new WeakMap()));
  let facts = byGuard.get(guard);
  if (!facts) {
    const owner = ownerOf(guard);
    facts = { owner, acts: acts(guard), namespace: guard.metadata.namespace, awsKey: targetKey(awsTargetOf(guard)), workloads: workloadFacts(guard, owner), nodePools: nodePoolFacts(guard, owner) };
    byGuard.set(guard, facts);
  }
  return facts;
}

export interface PeerInput {
  self: CostGuard;
  /** Every guard the operator knows (the informer cache), self included. */
  guards: readonly CostGuard[];
  observed: ObservedCeilings;
  /** The AWS account/region of each guard. Pass the same function every time: contributions are cached per function. */
  awsTargetOf: (guard: CostGuard) => AwsTarget;
}

export function peerCeilings(input: PeerInput): PeerCeiling[] {
  const { self, observed } = input;
  const me = factsOf(self, input.awsTargetOf);
  const workloadTargets = observed.workloads.map(({ spec }) => workloadRef(spec));
  const poolNames = observed.nodePools.map(({ spec }) => spec.name);
  const out: PeerCeiling[] = [];
  for (const g of input.guards) {
    if (g.metadata.uid === self.metadata.uid) continue;
    const them = factsOf(g, input.awsTargetOf);
    if (!them.acts || them.owner === me.owner) continue;
    if (them.awsKey === me.awsKey && g.spec.scalingGroups?.length) out.push(...groupPeers(g, observed));
    if (them.namespace === me.namespace) for (const t of workloadTargets) pushDefined(out, them.workloads.get(t));
    for (const name of poolNames) out.push(...(them.nodePools.get(name) ?? []));
  }
  return out;
}

function pushDefined<T>(out: T[], item: T | undefined): void {
  if (item !== undefined) out.push(item);
}
