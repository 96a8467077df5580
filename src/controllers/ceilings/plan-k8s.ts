// Pure: the Kubernetes part of a ceilings plan (replica ceilings and NodePool limits).
import type { NodePoolStatus, WorkloadStatus } from '../../api/v1alpha1/index.ts';
import type { DecideContext } from './asg-decide.ts';
import { decideNodePool, type LimitChange, type Quantities } from './nodepool-decide.ts';
import { nodePoolRef, workloadRef, type ObservedCeilings } from './observed.ts';
import { describeChange, isRepeat, lastActionOf, type TargetOutcome, type Telling } from './plan-groups.ts';
import { decideWorkload, REPLICA_FIELD, type WorkloadDecision, type WorkloadKind } from './replicas-decide.ts';

export interface WorkloadAction {
  kind: 'workload';
  target: string;
  workload: WorkloadKind;
  name: string;
  path: string;
  to: number;
  resourceVersion?: string;
}

export interface NodePoolAction {
  kind: 'nodepool';
  target: string;
  name: string;
  /** Only the limits to change; the others are left as they are. */
  limits: Quantities;
  resourceVersion?: string;
}

type WorkloadEntry = ObservedCeilings['workloads'][number];
type NodePoolEntry = ObservedCeilings['nodePools'][number];

function workloadStatus(entry: WorkloadEntry, d: WorkloadDecision, prior: WorkloadStatus | undefined, ctx: DecideContext): WorkloadStatus {
  const observed = entry.found!;
  const change = d.change;
  const value = ctx.act && change ? change.to : observed.value;
  return {
    kind: entry.spec.kind,
    name: entry.spec.name,
    ceiling: entry.spec.maxReplicas,
    ...(value !== undefined ? { maxReplicas: value } : {}),
    ...(observed.replicas !== undefined ? { replicas: observed.replicas } : {}),
    ...(d.memory.originalValue !== undefined ? { originalMaxReplicas: d.memory.originalValue } : {}),
    clamped: d.memory.originalValue !== undefined,
    binding: d.binding,
    ...lastActionOf(change ? [change] : [], change ? describeChange(change, ctx) : '', prior, ctx),
  };
}

export function planWorkload(entry: WorkloadEntry, prior: WorkloadStatus | undefined, ctx: DecideContext): TargetOutcome<WorkloadStatus> & { action?: WorkloadAction } {
  const observed = entry.found!;
  const target = workloadRef(entry.spec);
  const d = decideWorkload(entry.spec.maxReplicas, observed, { originalValue: prior?.originalMaxReplicas }, ctx);
  const status = workloadStatus(entry, d, prior, ctx);
  const change = d.change;
  if (!change) return { status, findings: [], binding: d.binding };
  const message = describeChange(change, ctx);
  const findings = [{ target, message: `${target}: ${message}`, reason: change.reason, drift: change.reason === 'Drift', repeated: !ctx.act && isRepeat(message, prior) }];
  if (!ctx.act) return { status, findings, binding: d.binding };
  const path = REPLICA_FIELD[observed.kind].path;
  const action: WorkloadAction = { kind: 'workload', target, workload: observed.kind, name: observed.name, path, to: change.to, resourceVersion: entry.resourceVersion };
  return { status, findings, binding: d.binding, action };
}

function limitsText(changes: LimitChange[], t: Telling): string {
  return changes.map((c) => describeChange({ field: `spec.limits.${c.resource}`, from: c.from, to: c.to, reason: c.reason }, t)).join('; ');
}

export function planNodePool(entry: NodePoolEntry, prior: NodePoolStatus | undefined, ctx: DecideContext): TargetOutcome<NodePoolStatus> & { action?: NodePoolAction } {
  const observed = entry.found!;
  const target = nodePoolRef(entry.spec.name);
  const d = decideNodePool(entry.spec.limits, observed, { originalLimits: prior?.originalLimits }, ctx);
  const message = limitsText(d.changes, ctx);
  const set: Quantities = Object.fromEntries(d.changes.map((c) => [c.resource, c.to]));
  const limits = ctx.act ? { ...observed.limits, ...set } : observed.limits;
  const status: NodePoolStatus = {
    name: entry.spec.name,
    limits,
    usage: observed.usage,
    ...(d.memory.originalLimits ? { originalLimits: d.memory.originalLimits } : {}),
    clamped: d.memory.originalLimits !== undefined,
    binding: d.binding,
    ...lastActionOf(d.changes, message, prior, ctx),
  };
  const repeated = !ctx.act && isRepeat(message, prior);
  const findings = d.changes.map((c) => ({ target, message: `${target}: ${limitsText([c], ctx)}`, reason: c.reason, drift: c.reason === 'Drift', repeated }));
  if (!ctx.act || d.changes.length === 0) return { status, findings, binding: d.binding };
  return { status, findings, binding: d.binding, action: { kind: 'nodepool', target, name: entry.spec.name, limits: set, resourceVersion: entry.resourceVersion } };
}
