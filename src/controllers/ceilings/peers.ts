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

function workloadPeers(guard: CostGuard, self: CostGuard, observed: ObservedCeilings): PeerCeiling[] {
  if (guard.metadata.namespace !== self.metadata.namespace) return [];
  return observed.workloads.flatMap(({ spec }) => {
    const theirs = (guard.spec.workloads ?? []).find((w) => w.kind === spec.kind && w.name === spec.name);
    if (!theirs) return [];
    const target = workloadRef(spec);
    return [{ guard: ownerOf(guard), target, value: effectiveCap(theirs.maxReplicas, holdsOn(guard.status, target)).value }];
  });
}

function nodePoolPeers(guard: CostGuard, observed: ObservedCeilings): PeerCeiling[] {
  return observed.nodePools.flatMap(({ spec }) => {
    const theirs = (guard.spec.nodePools ?? []).find((p) => p.name === spec.name);
    if (!theirs) return [];
    const target = nodePoolRef(spec.name);
    // Their holds on the pool count too; the decision takes the lowest of all entries per limit.
    const held = holdsOn(guard.status, target).flatMap((h) => (h.limits ? [h.limits] : []));
    return [theirs.limits, ...held].map((limits) => ({ guard: ownerOf(guard), target, limits }));
  });
}

export interface PeerInput {
  self: CostGuard;
  /** Every guard the operator knows (the informer cache), self included. */
  guards: readonly CostGuard[];
  observed: ObservedCeilings;
  /** The AWS account/region of each guard. */
  awsTargetOf(guard: CostGuard): AwsTarget;
}

export function peerCeilings(input: PeerInput): PeerCeiling[] {
  const { self, observed } = input;
  const myAws = targetKey(input.awsTargetOf(self));
  const others = input.guards.filter((g) => g.metadata.uid !== self.metadata.uid && ownerOf(g) !== ownerOf(self) && acts(g));
  return others.flatMap((g) => [
    ...(targetKey(input.awsTargetOf(g)) === myAws ? groupPeers(g, observed) : []),
    ...workloadPeers(g, self, observed),
    ...nodePoolPeers(g, observed),
  ]);
}
