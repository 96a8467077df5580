// Pure: the Auto Scaling group part of a ceilings plan.
import { parseDuration, type ScalingGroupStatus } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup, ScalingLimits } from '../../cloud/scaling-groups.ts';
import { formatTime } from '../../runtime/conditions.ts';
import { decideGroup, type DecideContext, type FieldChange, type GroupCeiling, type GroupDecision, type GroupMemory } from './asg-decide.ts';
import { driftSince } from './messages.ts';
import { asgRef, type ObservedCeilings } from './observed.ts';

export interface GroupAction {
  kind: 'asg';
  target: string;
  name: string;
  limits: ScalingLimits;
  changes: FieldChange[];
}

export interface TargetOutcome<S> {
  status: S;
  /** Human sentences for what changed (or would change in DryRun). */
  findings: { target: string; message: string; reason: string; drift: boolean; repeated: boolean }[];
  binding: boolean;
}

function ceilingOf(spec: ObservedCeilings['groups'][number]['spec']): GroupCeiling {
  const rate = spec.maxScaleOut;
  return { maxSize: spec.maxSize, ...(rate ? { maxScaleOut: { instances: rate.instances, perMs: parseDuration(rate.per) } } : {}) };
}

/** A group both named and tag-selected gets the strictest ceiling and rate of all entries. */
function stricter(a: GroupCeiling, b: GroupCeiling): GroupCeiling {
  const rates = [a.maxScaleOut, b.maxScaleOut].filter((r) => r !== undefined);
  const slowest = rates.sort((x, y) => x.instances / x.perMs - y.instances / y.perMs)[0];
  return { maxSize: Math.min(a.maxSize, b.maxSize), ...(slowest ? { maxScaleOut: slowest } : {}) };
}

export function resolveGroups(observed: ObservedCeilings): Map<string, { group: ScalingGroup; ceiling: GroupCeiling }> {
  const out = new Map<string, { group: ScalingGroup; ceiling: GroupCeiling }>();
  for (const entry of observed.groups) {
    const ceiling = ceilingOf(entry.spec);
    for (const group of entry.found) {
      const seen = out.get(group.name);
      out.set(group.name, { group, ceiling: seen ? stricter(seen.ceiling, ceiling) : ceiling });
    }
  }
  return out;
}

function memoryOf(prior: ScalingGroupStatus | undefined): GroupMemory {
  if (!prior) return {};
  const w = prior.scaleOutWindow;
  return {
    originalMaxSize: prior.originalMaxSize,
    lastDesired: prior.desired,
    ...(w ? { scaleOutWindow: { startMs: Date.parse(w.start), baseline: w.baseline } } : {}),
  };
}

/** How a change is told: done (acting), or would-be while DryRun or paused. */
export type Telling = Pick<DecideContext, 'act' | 'paused'>;

/** " (DryRun)" or " (Paused)" after a would-be change; nothing after a done one. */
export function notActingSuffix(t: Telling): string {
  if (t.act) return '';
  return t.paused ? ' (Paused)' : ' (DryRun)';
}

export function describeChange(c: { field: string; from: number | string | undefined; to: number | string; reason: string }, t: Telling): string {
  const verb = t.act ? 'clamped' : 'would clamp';
  const suffix = notActingSuffix(t);
  return `${verb} ${c.field} ${c.from ?? 'unset'} → ${c.to} (${c.reason})${suffix}`;
}

export type LastAction = NonNullable<ScalingGroupStatus['lastAction']>;

/** The status entry's lastAction: this reconcile's changes, else the previous one's. */
export function lastActionOf(
  changes: readonly { reason: string }[],
  message: string,
  prior: { lastAction?: LastAction } | undefined,
  ctx: DecideContext,
): { lastAction?: LastAction } {
  // Only a would-be change repeats; a second revert of the same drift is a new action.
  if (!changes.length || (!ctx.act && isRepeat(message, prior))) return prior?.lastAction ? { lastAction: prior.lastAction } : {};
  const reason = changes.some((c) => c.reason === 'Drift') ? 'Drift' : changes[0]!.reason;
  return { lastAction: { time: formatTime(ctx.nowMs), message, reason } };
}

/**
 * The same would-be change as last time (DryRun or paused: nothing changes in between). Its
 * lastAction keeps its time, so a DryRun guard's status is not rewritten every resync, and
 * no new event is sent for it.
 */
export function isRepeat(message: string, prior: { lastAction?: LastAction } | undefined): boolean {
  return message !== '' && prior?.lastAction?.message === message;
}

/** The MaxSize CostGuard last wrote and when: this reconcile's write, else the one recorded. */
function maxSizeSetOf(changes: readonly FieldChange[], prior: ScalingGroupStatus | undefined, ctx: DecideContext): Pick<ScalingGroupStatus, 'maxSizeSet'> {
  const written = ctx.act ? changes.find((c) => c.field === 'MaxSize') : undefined;
  if (written) return { maxSizeSet: { value: written.to, time: formatTime(ctx.nowMs) } };
  return prior?.maxSizeSet ? { maxSizeSet: prior.maxSizeSet } : {};
}

/** Drift says what changed and since when, so the alert answers "who raised it?" quickly. */
function findingText(c: FieldChange, prior: ScalingGroupStatus | undefined, t: Telling): string {
  if (c.reason !== 'Drift' || c.field !== 'MaxSize' || !prior) return describeChange(c, t);
  return `MaxSize was raised to ${c.from}${driftSince(prior, c.to)}; ${t.act ? 'reverted' : 'would revert'} to ${c.to}${notActingSuffix(t)}`;
}

function limitsOf(changes: FieldChange[]): ScalingLimits {
  const get = (field: FieldChange['field']) => changes.find((c) => c.field === field)?.to;
  return { minSize: get('MinSize'), maxSize: get('MaxSize'), desiredCapacity: get('DesiredCapacity') };
}

/** All of a group's changes in one sentence: its lastAction message. */
function changesText(d: GroupDecision, t: Telling): string {
  return d.changes.map((c) => describeChange(c, t)).join('; ');
}

function groupStatus(
  resolved: { group: ScalingGroup; ceiling: GroupCeiling },
  d: GroupDecision,
  prior: ScalingGroupStatus | undefined,
  ctx: DecideContext,
): ScalingGroupStatus {
  const { group, ceiling } = resolved;
  const message = changesText(d, ctx);
  const after = ctx.act ? limitsOf(d.changes) : {};
  const window = d.memory.scaleOutWindow;
  return {
    name: group.name,
    ceiling: ceiling.maxSize,
    maxSize: after.maxSize ?? group.maxSize,
    desired: after.desiredCapacity ?? group.desiredCapacity,
    inService: group.inService,
    ...(d.memory.originalMaxSize !== undefined ? { originalMaxSize: d.memory.originalMaxSize } : {}),
    clamped: d.memory.originalMaxSize !== undefined || (ctx.act && after.desiredCapacity !== undefined),
    binding: d.binding,
    ...(window ? { scaleOutWindow: { start: formatTime(window.startMs), baseline: window.baseline } } : {}),
    ...lastActionOf(d.changes, message, prior, ctx),
    ...maxSizeSetOf(d.changes, prior, ctx),
  };
}

export function planGroup(
  resolved: { group: ScalingGroup; ceiling: GroupCeiling },
  prior: ScalingGroupStatus | undefined,
  ctx: DecideContext,
): TargetOutcome<ScalingGroupStatus> & { action?: GroupAction } {
  const { group } = resolved;
  const d = decideGroup(resolved.ceiling, group, memoryOf(prior), ctx);
  const target = asgRef(group.name);
  const status = groupStatus(resolved, d, prior, ctx);
  const action: GroupAction | undefined = ctx.act && d.changes.length > 0 ? { kind: 'asg', target, name: group.name, limits: limitsOf(d.changes), changes: d.changes } : undefined;
  const repeated = !ctx.act && isRepeat(changesText(d, ctx), prior);
  const findings = d.changes.map((c) => ({ target, message: `${target}: ${findingText(c, prior, ctx)}`, reason: c.reason, drift: c.reason === 'Drift', repeated }));
  return { status, ...(action ? { action } : {}), findings, binding: d.binding };
}
