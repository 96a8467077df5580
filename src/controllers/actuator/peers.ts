// The ceilings other guards hold on the targets this guard observed (pure, memoised per guard
// object and per list of guards). Two guards that name the same Auto Scaling group, workload
// or NodePool never fight: each applies the lowest of all their caps (see caps.ts), reports
// the overlap, and a guard deleted with Restore never raises a target above a remaining
// guard's ceiling.
//
// Only guards that act count: Enforce, not paused, not being deleted. A DryRun or paused
// guard's ceiling is not applied on its behalf by another guard.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import { matchesSelector } from '../../cloud/scaling-groups.ts';
import { accountKey, type TargetAccounts } from '../targets/identity.ts';
import { holdsOn, splitCap, type SplitCap } from '../shared/holds.ts';
import { asgRef, nodePoolRef, workloadRef, type ObservedCeilings, type PeerCeiling } from '../targets/observed.ts';
import { ownerOf } from '../targets/records.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import { isEnforcing } from '../shared/pause.ts';

export function acts(guard: CostGuard): boolean {
  return isEnforcing(guard) && !guard.metadata.deletionTimestamp;
}

/** The lowest integer cap a guard puts on one group: every matching entry, then its holds (those at current kept apart). */
function groupCap(guard: CostGuard, group: { name: string; tags: Readonly<Record<string, string>> }): SplitCap | undefined {
  const entries = (guard.spec.scalingGroups ?? []).filter((e) => (e.name !== undefined ? e.name === group.name : matchesSelector(group.tags, e.tagSelector ?? {})));
  if (!entries.length) return undefined;
  const spec = Math.min(...entries.map((e) => e.maxSize));
  return splitCap(spec, holdsOn(guard.status, asgRef(group.name)));
}

function groupPeers(guard: CostGuard, observed: ObservedCeilings): PeerCeiling[] {
  const groups = observed.groups.flatMap((e) => e.found);
  return groups.flatMap((g) => {
    const cap = groupCap(guard, g);
    return cap === undefined ? [] : [{ guard: ownerOf(guard), target: asgRef(g.name), ...cap }];
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
    if (!out.has(target)) out.set(target, { guard: owner, target, ...splitCap(w.maxReplicas, holdsOn(guard.status, target)) });
  }
  return out;
}

function nodePoolFacts(guard: CostGuard, owner: string): Map<string, PeerCeiling[]> {
  const out = new Map<string, PeerCeiling[]>();
  for (const p of guard.spec.nodePools ?? []) {
    if (out.has(p.name)) continue;
    const target = nodePoolRef(p.name);
    // Their holds on the pool count too; the decision takes the lowest of all entries per limit.
    const held = holdsOn(guard.status, target).flatMap((h) => (h.limits ? [{ guard: owner, target, limits: h.limits, ...(h.atCurrent ? { limitsAtCurrent: true } : {}) }] : []));
    out.set(p.name, [{ guard: owner, target, limits: p.limits }, ...held]);
  }
  return out;
}

function factsOf(guard: CostGuard, awsKey: string): PeerFacts {
  const owner = ownerOf(guard);
  return { owner, acts: acts(guard), namespace: guard.metadata.namespace, awsKey, workloads: workloadFacts(guard, owner), nodePools: nodePoolFacts(guard, owner) };
}

export interface PeerInput {
  self: CostGuard;
  /** Every guard the operator knows (the informer cache), self included. */
  guards: readonly CostGuard[];
  observed: ObservedCeilings;
  /** Where each guard's AWS calls go. */
  awsTargetOf: (guard: CostGuard) => AwsTarget;
  /** The account behind each target's credentials; without it, guards are peers only under the same role. */
  accounts?: TargetAccounts;
  /** Each guard as the tenancy policy permits it; default: as written. */
  permitted?: (guard: CostGuard) => CostGuard;
}

/** Acting guards by what they name: the answer to "who else caps this target" without a scan. */
interface Index {
  /** "<namespace> <Kind/name>" → each acting guard's ceiling on that workload, in cache order. */
  workloads: Map<string, PeerCeiling[]>;
  /** NodePool name → the acting guards' limits on it. */
  nodePools: Map<string, PeerCeiling[]>;
  /** Acting guards with scalingGroups, by AWS region and account (not role): tag selectors match per observed group. */
  groups: Map<string, CostGuard[]>;
}

function buildIndex(guards: readonly CostGuard[], factsFor: (guard: CostGuard) => PeerFacts): Index {
  const index: Index = { workloads: new Map(), nodePools: new Map(), groups: new Map() };
  const add = <K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void => {
    const list = map.get(key);
    if (list) list.push(...values);
    else map.set(key, values);
  };
  for (const g of guards) {
    const f = factsFor(g);
    if (!f.acts) continue;
    for (const [target, peer] of f.workloads) add(index.workloads, `${f.namespace ?? ''} ${target}`, peer);
    for (const [name, peers] of f.nodePools) add(index.nodePools, name, ...peers);
    if (g.spec.scalingGroups?.length) add(index.groups, f.awsKey, g);
  }
  return index;
}

/**
 * The ceilings other acting guards hold on the targets one guard observed, over the informer's
 * guards. The index is rebuilt only when the list holds a different object than last time
 * (the informer hands out a new object on every change), so a resync over unchanged guards
 * costs one pass of identity checks per reconcile instead of re-deriving every other guard.
 */
export class PeerIndex {
  private readonly awsTargetOf: (guard: CostGuard) => AwsTarget;
  private readonly permitted: (guard: CostGuard) => CostGuard;
  private readonly accounts: TargetAccounts | undefined;
  private seen: readonly CostGuard[] = [];
  private index: Index | undefined;
  /**
   * What each guard contributes, per guard object: the informer hands out a new object on
   * every change, so an entry is never stale — except its account key, which can become known
   * later; the cache and the index are dropped when `accounts.generation` moves.
   */
  private facts = new WeakMap<CostGuard, PeerFacts>();
  private generation = 0;

  /**
   * `permitted`: each guard as the tenancy policy permits it (targets/tenancy.ts). A guard's
   * refused parts are no one's peer: a namespace refused AWS cannot lower another team's group
   * by naming it. It must return the same object for the same guard (it is memoised).
   */
  constructor(awsTargetOf: (guard: CostGuard) => AwsTarget, permitted: (guard: CostGuard) => CostGuard = (g) => g, accounts?: TargetAccounts) {
    this.awsTargetOf = awsTargetOf;
    this.permitted = permitted;
    this.accounts = accounts;
  }

  peers(self: CostGuard, guards: readonly CostGuard[], observed: ObservedCeilings): PeerCeiling[] {
    this.dropIfAccountsMoved();
    const index = this.indexOf(guards);
    const me = this.factsFor(this.permitted(self));
    const out: PeerCeiling[] = [];
    // Loops, not flatMap and spreads: with many guards on one target these lists are long.
    const addOthers = (peers: readonly PeerCeiling[] | undefined): void => {
      for (const p of peers ?? []) if (p.guard !== me.owner) out.push(p);
    };
    for (const g of index.groups.get(me.awsKey) ?? []) if (ownerOf(g) !== me.owner) out.push(...groupPeers(g, observed));
    for (const { spec } of observed.workloads) addOthers(index.workloads.get(`${me.namespace ?? ''} ${workloadRef(spec)}`));
    for (const { spec } of observed.nodePools) addOthers(index.nodePools.get(spec.name));
    return out;
  }

  private readonly factsFor = (guard: CostGuard): PeerFacts => {
    let facts = this.facts.get(guard);
    if (!facts) this.facts.set(guard, (facts = factsOf(guard, accountKey(this.awsTargetOf(guard), this.accounts))));
    return facts;
  };

  private dropIfAccountsMoved(): void {
    const generation = this.accounts?.generation ?? 0;
    if (generation === this.generation) return;
    this.generation = generation;
    this.facts = new WeakMap();
    this.index = undefined;
  }

  private indexOf(guards: readonly CostGuard[]): Index {
    if (!this.index || !sameObjects(this.seen, guards)) {
      this.index = buildIndex(guards.map(this.permitted), this.factsFor);
      this.seen = guards;
    }
    return this.index;
  }
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One-off form of PeerIndex.peers (no index kept between calls). */
export function peerCeilings(input: PeerInput): PeerCeiling[] {
  return new PeerIndex(input.awsTargetOf, input.permitted, input.accounts).peers(input.self, input.guards, input.observed);
}
