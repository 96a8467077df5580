// Pure: a guard's spec + what was observed + what status recorded + the clock → the actions
// to take (none in DryRun or while paused), what to tell people, and the status to write.
import type { CostGuardStatus, NodePoolStatus, ScalingGroupStatus, WorkloadStatus } from '../../api/v1alpha1/index.ts';
import type { DecideContext } from './asg-decide.ts';
import { selectorText, type RaisedValue } from './words.ts';
import { asgRef, nodePoolRef, workloadRef, type ObservedCeilings } from '../targets/observed.ts';
import type { PlanInputs } from './caps.ts';
import { planGroup, resolveGroups, type GroupAction, type TargetOutcome } from './plan-groups.ts';
import { planNodePool, planWorkload, type NodePoolAction, type WorkloadAction } from './plan-k8s.ts';
import { capGroups } from '../shared/target-cap.ts';
import type { Holding } from './holders-decide.ts';

export type CeilingAction = GroupAction | WorkloadAction | NodePoolAction;

export interface Finding {
  target: string;
  message: string;
  /** AboveCeiling, CeilingLowered, Drift, Released, ScaleOutRateLimited, Unset, MinAboveCeiling. */
  reason: string;
  drift: boolean;
  /** DryRun/paused: reported already, unchanged since (no new event). */
  repeated: boolean;
  /** The write with its values ("MaxSize 40 → 20"), for conditions that list would-be changes. */
  values?: string;
  /** What holds the target below its spec ceiling, in words, when something does (the rate limit, a hold, another guard). */
  heldBy?: string;
}

export interface CeilingsPlan {
  actions: CeilingAction[];
  findings: Finding[];
  /** Targets where demand sits at the ceiling right now. */
  binding: string[];
  /** Targets the spec names that do not exist. */
  missing: string[];
  /** Of `missing`, those whose kind the API server does not serve (CRD not installed). */
  notInstalled: string[];
  /** Tag selectors that matched no Auto Scaling group, as `{key: value}`. */
  unmatched: string[];
  /** Targets whose drift CostGuard reverted within DRIFT_MEMORY_MS. */
  recentDrift: string[];
  /** "target (also guard ns/name)" for each target another guard names too. */
  overlaps: string[];
  /** Holders this operator cannot see act (another cluster, a paused guard) that bind a target through their record. */
  recordHolders: { guard: string; target: string }[];
  /** Groups beyond MAX_TARGETS (shared/target-cap.ts): neither planned nor touched, reported. */
  overflow: string[];
  /** Ceilings the target cannot take, one sentence per target (cpu/memory on a static NodePool, a ScaledObject's minReplicaCount above the ceiling). */
  notApplicable: string[];
  /** NodePool limits CostGuard clamped whose ceiling is now above them (the condition says what comes next). */
  raisedLimits: RaisedValue[];
  /** Target → what holds it below its spec ceiling (the rate limit, a hold, another guard), in words. */
  heldBy: Record<string, string>;
  status: Pick<CostGuardStatus, 'scalingGroups' | 'workloads' | 'nodePools'>;
}

type Outcome = TargetOutcome<unknown> & { action?: CeilingAction | undefined };

function collect(plan: CeilingsPlan, outcome: Outcome, target: string): void {
  if (outcome.action) plan.actions.push(outcome.action);
  for (const guard of outcome.recordHolders ?? []) plan.recordHolders.push({ guard, target });
  plan.findings.push(...outcome.findings);
  if (outcome.binding) plan.binding.push(target);
  if (outcome.heldBy !== undefined) plan.heldBy[target] = outcome.heldBy;
}

function byName<T extends { name: string }>(list: T[] | undefined): Map<string, T> {
  return new Map((list ?? []).map((s) => [s.name, s]));
}

/** A name that resolved to no group is missing; a tag selector that matched none is unmatched. */
function recordUnresolved(plan: CeilingsPlan, entry: ObservedCeilings['groups'][number]): void {
  if (entry.spec.name !== undefined) return markMissing(plan, asgRef(entry.spec.name), false);
  const selector = selectorText(entry.spec.tagSelector ?? {});
  if (!plan.unmatched.includes(selector)) plan.unmatched.push(selector);
}

export interface PlanContext extends DecideContext {
  /** "<namespace>/<name>" of the guard: the owner written into the targets' records. */
  owner?: string;
  /** Who this guard is on the records (cluster id, UID) and what its operator sees of other holders. */
  holding?: Holding;
}

interface At {
  ctx: DecideContext;
  inputs: PlanInputs;
}

function planGroups(plan: CeilingsPlan, observed: ObservedCeilings, prior: CostGuardStatus, at: At): ScalingGroupStatus[] {
  for (const entry of observed.groups.filter((e) => e.found.length === 0)) recordUnresolved(plan, entry);
  const priorByName = byName(prior.scalingGroups);
  const statuses: ScalingGroupStatus[] = [];
  const all = [...resolveGroups(observed).values()].sort((a, b) => a.group.name.localeCompare(b.group.name));
  // Beyond the cap, every status patch would fail after the AWS writes had happened: the
  // rest are neither planned nor touched, so nothing is written for them.
  const { kept, overflow } = capGroups(all, observed.workloads.length + observed.nodePools.length);
  plan.overflow = overflow.map((r) => asgRef(r.group.name));
  for (const resolved of kept) {
    const outcome = planGroup(resolved, priorByName.get(resolved.group.name), at);
    collect(plan, outcome, asgRef(resolved.group.name));
    statuses.push(outcome.status);
  }
  return statuses;
}

function markMissing(plan: CeilingsPlan, target: string, kindMissing: boolean | undefined): void {
  if (plan.missing.includes(target)) return;
  plan.missing.push(target);
  if (kindMissing) plan.notInstalled.push(target);
}

function planWorkloads(plan: CeilingsPlan, observed: ObservedCeilings, prior: CostGuardStatus, at: At): WorkloadStatus[] {
  const statuses: WorkloadStatus[] = [];
  for (const entry of observed.workloads) {
    const target = workloadRef(entry.spec);
    if (!entry.found) {
      markMissing(plan, target, entry.kindMissing);
      continue;
    }
    const priorStatus = prior.workloads?.find((w) => w.kind === entry.spec.kind && w.name === entry.spec.name);
    const outcome = planWorkload(entry, priorStatus, at);
    collect(plan, outcome, target);
    if (outcome.notApplicable) plan.notApplicable.push(outcome.notApplicable);
    statuses.push(outcome.status);
  }
  return statuses;
}

function planNodePools(plan: CeilingsPlan, observed: ObservedCeilings, prior: CostGuardStatus, at: At): NodePoolStatus[] {
  const priorByName = byName(prior.nodePools);
  const statuses: NodePoolStatus[] = [];
  for (const entry of observed.nodePools) {
    if (!entry.found) {
      markMissing(plan, nodePoolRef(entry.spec.name), entry.kindMissing);
      continue;
    }
    const outcome = planNodePool(entry, priorByName.get(entry.spec.name), at);
    collect(plan, outcome, nodePoolRef(entry.spec.name));
    plan.raisedLimits.push(...outcome.raised);
    if (outcome.notApplicable) plan.notApplicable.push(outcome.notApplicable);
    statuses.push(outcome.status);
  }
  return statuses;
}

/** Peers named per target in the Conflict message; the rest are counted, so status stays small when many guards share a target. */
const OVERLAP_NAMES = 3;

function overlapsOf(peers: readonly { guard: string; target: string }[]): string[] {
  const byTarget = new Map<string, Set<string>>();
  for (const p of peers) byTarget.set(p.target, (byTarget.get(p.target) ?? new Set()).add(p.guard));
  return [...byTarget.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([target, guards]) => `${target} (also guarded by ${namesOf(guards)})`);
}

/** The first OVERLAP_NAMES names in sort order and a count of the rest; no full sort of a long list. */
function namesOf(guards: ReadonlySet<string>): string {
  const first: string[] = [];
  for (const g of guards) {
    if (first.length === OVERLAP_NAMES && g >= first[OVERLAP_NAMES - 1]!) continue;
    const at = first.findIndex((f) => g < f);
    first.splice(at < 0 ? first.length : at, 0, g);
    first.length = Math.min(first.length, OVERLAP_NAMES);
  }
  const more = guards.size - first.length;
  return more > 0 ? `${first.join(', ')} and ${more} more` : first.join(', ');
}

/** How long a reverted drift stays in the CeilingsEnforced condition (the default alert repeat interval). */
export const DRIFT_MEMORY_MS = 60 * 60_000;

function recentDrift(status: CeilingsPlan['status'], nowMs: number): string[] {
  const recent = (a: { reason?: string; time: string } | undefined): boolean => a?.reason === 'Drift' && nowMs - Date.parse(a.time) < DRIFT_MEMORY_MS;
  return [
    ...(status.scalingGroups ?? []).filter((g) => recent(g.lastAction)).map((g) => asgRef(g.name)),
    ...(status.workloads ?? []).filter((w) => recent(w.lastAction)).map((w) => workloadRef(w)),
    ...(status.nodePools ?? []).filter((p) => recent(p.lastAction)).map((p) => nodePoolRef(p.name)),
  ];
}

export function planCeilings(observed: ObservedCeilings, prior: CostGuardStatus, ctx: PlanContext): CeilingsPlan {
  const plan: CeilingsPlan = { actions: [], findings: [], binding: [], missing: [], notInstalled: [], unmatched: [], recentDrift: [], overlaps: [], recordHolders: [], overflow: [], notApplicable: [], raisedLimits: [], heldBy: {}, status: {} };
  const inputs = { owner: ctx.owner ?? '', status: prior, peers: observed.peers ?? [], ...(ctx.holding ? { holding: ctx.holding } : {}) };
  const at: At = { ctx: { nowMs: ctx.nowMs, act: ctx.act, ...(ctx.paused ? { paused: true } : {}) }, inputs };
  const scalingGroups = planGroups(plan, observed, prior, at);
  const workloads = planWorkloads(plan, observed, prior, at);
  const nodePools = planNodePools(plan, observed, prior, at);
  plan.overlaps = overlapsOf([...(observed.peers ?? []), ...plan.recordHolders]);
  plan.status = {
    ...(scalingGroups.length ? { scalingGroups } : {}),
    ...(workloads.length ? { workloads } : {}),
    ...(nodePools.length ? { nodePools } : {}),
  };
  plan.recentDrift = recentDrift(plan.status, ctx.nowMs);
  return plan;
}
