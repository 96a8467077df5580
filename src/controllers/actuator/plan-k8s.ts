// Pure: the Kubernetes part of a ceilings plan (replica ceilings and NodePool limits). The
// record of the original goes in the same merge patch as the value, so it can never be lost
// between two writes.
import type { NodePoolStatus, WorkloadStatus } from '../../api/v1alpha1/index.ts';
import { holdsOn } from '../shared/holds.ts';
import type { DecideContext } from './asg-decide.ts';
import { capOf, capSuffix, peerCapsOn, type PlanInputs } from './caps.ts';
import { decideNodePool, inapplicableCeilings, type LimitChange, type NodePoolCaps, type Quantities } from './nodepool-decide.ts';
import { nodePoolRef, workloadRef, type ObservedCeilings } from '../targets/observed.ts';
import { describeChange, isRepeat, lastActionOf, type Attempt, type TargetOutcome, type Telling } from './plan-groups.ts';
import { changeValues, type RaisedValue } from './words.ts';
import { quantity } from '../targets/quantity.ts';
import { clearAnnotations, NODEPOOL_KEYS, WORKLOAD_KEYS, writeFieldRecord, writeNodePoolRecord, type NodePoolRecord } from '../targets/records.ts';
import { decideWorkload, REPLICA_FIELD, type WorkloadDecision, type WorkloadKind } from './replicas-decide.ts';

export interface WorkloadAction {
  kind: 'workload';
  target: string;
  workload: WorkloadKind;
  name: string;
  /** The value to write at `path` (null: unset it); absent for a record-only change. */
  set?: { path: string; to: number | null };
  /** What the write changes and why, for the message when it fails. */
  changes: Attempt[];
  /** The record's annotations (null removes one). */
  annotations: Record<string, string | null>;
  resourceVersion?: string;
  /** A digest of the target's spec when observed: a refused write is sent again once it moves. */
  targetSpec?: string;
}

export interface NodePoolAction {
  kind: 'nodepool';
  target: string;
  name: string;
  /** Only the limits to change (null removes one); the others are left as they are. */
  limits: Record<string, string | number | null>;
  /** What the write changes and why, for the message when it fails. */
  changes: Attempt[];
  /** The record's annotations (null removes one). */
  annotations: Record<string, string | null>;
  resourceVersion?: string;
  /** A digest of the target's spec when observed: a refused write is sent again once it moves. */
  targetSpec?: string;
}

type WorkloadEntry = ObservedCeilings['workloads'][number];
type NodePoolEntry = ObservedCeilings['nodePools'][number];

/** The readable copy of the record's original; an unset field shows its default (KEDA: 100), an unbounded one nothing. */
function originalOf(d: WorkloadDecision, kind: WorkloadKind): number | undefined {
  if (!d.record) return undefined;
  const value = d.record.original ?? REPLICA_FIELD[kind].unsetMeans;
  return Number.isFinite(value) ? value : undefined;
}

function workloadStatus(entry: WorkloadEntry, d: WorkloadDecision, prior: WorkloadStatus | undefined, at: { ctx: DecideContext; message: string }): WorkloadStatus {
  const observed = entry.found!;
  const change = d.change;
  const value = at.ctx.act && change ? change.to : observed.value;
  const original = originalOf(d, observed.kind);
  return {
    kind: entry.spec.kind,
    name: entry.spec.name,
    ceiling: entry.spec.maxReplicas,
    ...(value !== undefined ? { maxReplicas: value } : {}),
    ...(observed.replicas !== undefined ? { replicas: observed.replicas } : {}),
    ...(original !== undefined ? { originalMaxReplicas: original } : {}),
    clamped: (value ?? REPLICA_FIELD[observed.kind].unsetMeans) === d.record?.clamped,
    binding: d.binding,
    ...lastActionOf(change ? [change] : [], at.message, prior, at.ctx),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function workloadAction(entry: WorkloadEntry, d: WorkloadDecision, owner: string): WorkloadAction | undefined {
  const observed = entry.found!;
  const recordChanged = !sameJson(observed.record, d.record);
  if (!d.change && !recordChanged) return undefined;
  const annotations = d.record ? writeFieldRecord(d.record, WORKLOAD_KEYS, owner) : clearAnnotations(WORKLOAD_KEYS);
  const set = d.change ? { path: REPLICA_FIELD[observed.kind].path, to: d.change.to ?? null } : undefined;
  const changes = d.change ? [{ field: d.change.field, from: d.change.from, to: d.change.to, reason: d.change.reason }] : [];
  return { kind: 'workload', target: workloadRef(entry.spec), workload: observed.kind, name: observed.name, ...(set ? { set } : {}), changes, annotations, resourceVersion: entry.resourceVersion, targetSpec: entry.specHash };
}

/**
 * KEDA refuses a ScaledObject whose maxReplicaCount is below its minReplicaCount (a CEL rule
 * on the CRD). CostGuard does not lower minReplicaCount — that is the floor the owner chose
 * for the workload, and lowering it silently would change how the workload scales down — so
 * it writes nothing and says why (docs/crd-reference.md, ScaledObject).
 */
function minAboveCap(observed: NonNullable<WorkloadEntry['found']>, d: WorkloadDecision): number | undefined {
  const min = observed.minReplicas;
  if (observed.kind !== 'ScaledObject' || min === undefined || !d.change) return undefined;
  const to = d.change.to ?? REPLICA_FIELD.ScaledObject.unsetMeans;
  return to < min ? to : undefined;
}

function minAboveText(target: string, min: number, to: number): string {
  return `${target}: minReplicaCount ${min} is above the ceiling ${to}, and KEDA refuses a maxReplicaCount below minReplicaCount; CostGuard leaves maxReplicaCount as it is and does not change minReplicaCount. Lower minReplicaCount to ${to} or less, or raise the ceiling`;
}

export function planWorkload(
  entry: WorkloadEntry,
  prior: WorkloadStatus | undefined,
  at: { ctx: DecideContext; inputs: PlanInputs },
): TargetOutcome<WorkloadStatus> & { action?: WorkloadAction; notApplicable?: string } {
  const { ctx } = at;
  const target = workloadRef(entry.spec);
  // Holds at current never go below the replicas running now (read by this reconcile).
  const cap = capOf(entry.spec.maxReplicas, holdsOn(at.inputs.status, target), peerCapsOn(at.inputs, target), entry.found!.replicas);
  const decided = decideWorkload(cap, entry.found!, ctx);
  const blockedAt = minAboveCap(entry.found!, decided);
  if (blockedAt !== undefined) {
    const d: WorkloadDecision = { binding: decided.binding, record: entry.found!.record };
    return { status: workloadStatus(entry, d, prior, { ctx, message: '' }), findings: [], binding: d.binding, notApplicable: minAboveText(target, entry.found!.minReplicas!, blockedAt) };
  }
  const d = decided;
  const change = d.change;
  const message = change ? `${describeChange({ ...change, to: change.to ?? 'unset' }, ctx)}${change.reason === 'Released' ? '' : capSuffix(cap)}` : '';
  const status = workloadStatus(entry, d, prior, { ctx, message });
  const action = ctx.act ? workloadAction(entry, d, at.inputs.owner) : undefined;
  const findings = change ? [{ target, message: `${target}: ${message}`, reason: change.reason, drift: change.reason === 'Drift', repeated: !ctx.act && isRepeat(message, prior), values: changeValues(change) }] : [];
  return { status, findings, binding: d.binding, ...(action ? { action } : {}) };
}

function limitsText(changes: LimitChange[], t: Telling): string {
  return changes
    .map((c) => `${describeChange({ field: `spec.limits.${c.resource}`, from: c.from, to: c.to ?? 'unset', reason: c.reason }, t)}${c.reason === 'Released' ? '' : capSuffix(c.cap)}`)
    .join('; ');
}

/** Limits held at current never go below the pool's usage: a resource whose usage is above its held limit is held at its usage. */
export function limitsAtWriteTime(limits: Quantities, usage: Quantities): Quantities {
  const out: Quantities = { ...limits };
  for (const [resource, held] of Object.entries(limits) as [keyof Quantities, string | number][]) {
    const used = usage[resource];
    if (used !== undefined && (quantity(used) ?? -Infinity) > (quantity(held) ?? Infinity)) out[resource] = used;
  }
  return out;
}

function nodePoolCaps(inputs: PlanInputs, target: string, usage: Quantities): NodePoolCaps {
  const resolve = (limits: Quantities, atCurrent: boolean | undefined): Quantities => (atCurrent ? limitsAtWriteTime(limits, usage) : limits);
  const holds = holdsOn(inputs.status, target).flatMap((h) => (h.limits ? [{ by: h.owner, why: h.reason, limits: resolve(h.limits, h.atCurrent) }] : []));
  const peers = inputs.peers.flatMap((p) => (p.target === target && p.limits ? [{ guard: p.guard, limits: resolve(p.limits, p.limitsAtCurrent) }] : []));
  return { holds, peers };
}

function nodePoolAction(entry: NodePoolEntry, changes: LimitChange[], record: NodePoolRecord | undefined, owner: string): NodePoolAction | undefined {
  const before = entry.found!.record;
  if (changes.length === 0 && sameJson(before, record)) return undefined;
  const limits = Object.fromEntries(changes.map((c) => [c.resource, c.to ?? null]));
  const annotations = record ? writeNodePoolRecord(record, owner) : clearAnnotations(NODEPOOL_KEYS);
  const attempts = changes.map((c) => ({ field: `spec.limits.${c.resource}`, from: c.from, to: c.to, reason: c.reason }));
  return { kind: 'nodepool', target: nodePoolRef(entry.spec.name), name: entry.spec.name, limits, changes: attempts, annotations, resourceVersion: entry.resourceVersion, targetSpec: entry.specHash };
}

/** The limits after the changes (a removed limit is left out). */
function limitsAfter(observed: Quantities, changes: LimitChange[]): Quantities {
  const out: Quantities = { ...observed };
  for (const c of changes) {
    if (c.to === undefined) delete out[c.resource];
    else out[c.resource] = c.to;
  }
  return out;
}

function originalsOf(record: NodePoolRecord | undefined): Quantities | undefined {
  if (!record) return undefined;
  return Object.fromEntries(Object.entries(record).flatMap(([k, v]) => (v.original === undefined ? [] : [[k, v.original]])));
}

/**
 * Limits still at CostGuard's value whose ceiling is now above them: a release puts them back
 * up to the lower of the ceiling and the original (an absent original: up to the ceiling).
 */
export function raisedLimits(name: string, ceilings: Quantities, limits: Quantities, record: NodePoolRecord | undefined): RaisedValue[] {
  return Object.entries(record ?? {}).flatMap(([resource, r]) => {
    const value = limits[resource as keyof Quantities];
    const ceiling = ceilings[resource as keyof Quantities];
    const [v, c, o] = [quantity(value), quantity(ceiling), quantity(r.original) ?? Infinity];
    if (value === undefined || ceiling === undefined || v === undefined || c === undefined || v !== quantity(r.clamped) || !(c > v)) return [];
    const release = o < c ? r.original! : ceiling;
    if (!((quantity(release) ?? 0) > v)) return [];
    return [{ ref: nodePoolRef(name), field: `spec.limits.${resource}`, value, ceiling, original: r.original ?? 'unset', release }];
  });
}

/** "NodePool/batch: cpu, memory ceilings do not apply to a static pool (spec.replicas set); only limits.nodes is enforced." */
function inapplicableText(target: string, resources: readonly string[]): string {
  return `${target}: ${resources.join(', ')} ceiling${resources.length > 1 ? 's do' : ' does'} not apply to a static NodePool (spec.replicas set; Karpenter accepts only limits.nodes there)`;
}

export function planNodePool(
  entry: NodePoolEntry,
  prior: NodePoolStatus | undefined,
  at: { ctx: DecideContext; inputs: PlanInputs },
): TargetOutcome<NodePoolStatus> & { action?: NodePoolAction; raised: RaisedValue[]; notApplicable?: string } {
  const { ctx } = at;
  const observed = entry.found!;
  const target = nodePoolRef(entry.spec.name);
  const d = decideNodePool(entry.spec.limits, observed, nodePoolCaps(at.inputs, target, observed.usage), ctx);
  const message = limitsText(d.changes, ctx);
  const originalLimits = originalsOf(d.record);
  const limits = ctx.act ? limitsAfter(observed.limits, d.changes) : observed.limits;
  const status: NodePoolStatus = {
    name: entry.spec.name,
    limits,
    usage: observed.usage,
    ...(originalLimits ? { originalLimits } : {}),
    clamped: Object.entries(d.record ?? {}).some(([k, v]) => String(limits[k as keyof Quantities]) === String(v.clamped)),
    binding: d.binding,
    ...lastActionOf(d.changes, message, prior, ctx),
  };
  const repeated = !ctx.act && isRepeat(message, prior);
  const findings = d.changes.map((c) => ({ target, message: `${target}: ${limitsText([c], ctx)}`, reason: c.reason, drift: c.reason === 'Drift', repeated, values: changeValues({ ...c, field: `spec.limits.${c.resource}` }) }));
  const action = ctx.act ? nodePoolAction(entry, d.changes, d.record, at.inputs.owner) : undefined;
  const raised = raisedLimits(entry.spec.name, entry.spec.limits, limits, d.record);
  const inapplicable = inapplicableCeilings(entry.spec.limits, observed);
  const notApplicable = inapplicable.length ? inapplicableText(target, inapplicable) : undefined;
  return { status, findings, binding: d.binding, raised, ...(action ? { action } : {}), ...(notApplicable ? { notApplicable } : {}) };
}
