// Pure: the Auto Scaling group part of a ceilings plan.
import { parseDuration, type ScalingGroupStatus } from '../../api/v1alpha1/index.ts';
import type { ScalingGroup, ScalingLimits } from '../../cloud/scaling-groups.ts';
import { formatTime } from '../../runtime/conditions.ts';
import { holdsOn } from '../shared/holds.ts';
import { decideGroup, type DecideContext, type FieldChange, type GroupCeiling, type GroupDecision, type GroupMemory } from './asg-decide.ts';
import { changeValues, driftSince, holderText } from './words.ts';
import { capOf, capSuffix, peerCapsOn, type Cap, type PlanInputs } from './caps.ts';
import type { FieldRecord } from './field-decide.ts';
import { asgRef, type ObservedCeilings } from '../targets/observed.ts';
import { ASG_KEYS, ASG_MIN_KEYS, OWNER_KEY, readFieldRecord, readHolders, readMaxSizeWrite } from '../targets/records.ts';
import { decideHolders, hasHolderChanges, recordedHolderCaps, type HolderChanges } from './holders-decide.ts';

export interface GroupAction {
  kind: 'asg';
  target: string;
  name: string;
  limits: ScalingLimits;
  changes: FieldChange[];
  /** The record to tag the group with before the update; undefined with clearRecord. */
  record?: FieldRecord;
  /** Remove the record's tags after the update (CostGuard's change no longer stands). */
  clearRecord: boolean;
  /** The MinSize record to tag before the update; undefined with clearMinRecord or when unchanged. */
  minRecord?: FieldRecord;
  /** Remove the MinSize record's tags after the update. */
  clearMinRecord?: boolean;
  /** With record: when this MaxSize write happens, tagged beside it (costguard.io/clamped-at). */
  clampedAt?: string;
  /** Holder keys: set with the record before the update, removed after it. */
  holders?: HolderChanges;
}

/** One field a write changes, as the failure message names it. */
export interface Attempt {
  field: string;
  from: number | string | undefined;
  to: number | string | undefined;
  reason: string;
}

export interface TargetOutcome<S> {
  status: S;
  /** What holds the target below its spec ceiling, in words, when something does (not the spec). */
  heldBy?: string;
  /** Human sentences for what changed (or would change in DryRun). */
  findings: { target: string; message: string; reason: string; drift: boolean; repeated: boolean; values?: string; heldBy?: string }[];
  binding: boolean;
  /** Holders that bind this target through their record (guards this operator cannot see act). */
  recordHolders?: string[];
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
  const history = prior?.scaleOutHistory?.map((s) => ({ atMs: Date.parse(s.time), desired: s.desired }));
  return history ? { history } : {};
}

/** How a change is told: done (acting), or would-be while DryRun or paused. */
export type Telling = Pick<DecideContext, 'act' | 'paused'>;

/** " (DryRun)" or " (Paused)" after a would-be change; nothing after a done one. */
export function notActingSuffix(t: Telling): string {
  if (t.act) return '';
  return t.paused ? ' (Paused)' : ' (DryRun)';
}

export function describeChange(c: { field: string; from: number | string | undefined; to: number | string; reason: string }, t: Telling): string {
  const raise = c.reason === 'Released';
  const verb = t.act ? (raise ? 'raised' : 'clamped') : raise ? 'would raise' : 'would clamp';
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

type MaxSizeWrite = ReturnType<typeof readMaxSizeWrite>;

/**
 * The MaxSize CostGuard last wrote and when: this reconcile's write, else the one tagged on the
 * group (it survives a lost status write), else the one status kept.
 */
function maxSizeSetOf(changes: readonly FieldChange[], prior: ScalingGroupStatus | undefined, at: { ctx: DecideContext; tagged: MaxSizeWrite }): Pick<ScalingGroupStatus, 'maxSizeSet'> {
  const written = at.ctx.act ? changes.find((c) => c.field === 'MaxSize') : undefined;
  if (written) return { maxSizeSet: { value: written.to, time: formatTime(at.ctx.nowMs) } };
  const tagged = at.tagged;
  if (tagged?.time !== undefined) return { maxSizeSet: { value: tagged.value, time: tagged.time } };
  return prior?.maxSizeSet ? { maxSizeSet: prior.maxSizeSet } : {};
}

/** Drift says what changed and since when, so the alert answers "who raised it?" quickly. */
function findingText(c: FieldChange, g: { prior: ScalingGroupStatus | undefined; tagged: MaxSizeWrite; cap: Cap }, t: Telling): string {
  const held = c.field === 'MaxSize' && c.reason !== 'Released' ? capSuffix(g.cap) : '';
  if (c.reason !== 'Drift' || c.field !== 'MaxSize') return `${describeChange(c, t)}${held}`;
  return `MaxSize was raised to ${c.from}${driftSince(g.prior, c.to, g.tagged)}; ${t.act ? 'reverted' : 'would revert'} to ${c.to}${notActingSuffix(t)}${held}`;
}

function limitsOf(changes: FieldChange[]): ScalingLimits {
  const get = (field: FieldChange['field']) => changes.find((c) => c.field === field)?.to;
  return { minSize: get('MinSize'), maxSize: get('MaxSize'), desiredCapacity: get('DesiredCapacity') };
}

/** All of a group's changes in one sentence: its lastAction message. */
function changesText(d: GroupDecision, cap: Cap, t: Telling): string {
  return d.changes.map((c) => `${describeChange(c, t)}${c.field === 'MaxSize' && c.reason !== 'Released' ? capSuffix(cap) : ''}`).join('; ');
}

function groupStatus(
  resolved: { group: ScalingGroup; ceiling: GroupCeiling },
  d: GroupDecision,
  prior: ScalingGroupStatus | undefined,
  at: { ctx: DecideContext; cap: Cap; tagged: MaxSizeWrite },
): ScalingGroupStatus {
  const { group, ceiling } = resolved;
  const { ctx } = at;
  const message = changesText(d, at.cap, ctx);
  const after = ctx.act ? limitsOf(d.changes) : {};
  const history = d.memory.history;
  const maxSize = after.maxSize ?? group.maxSize;
  const original = d.record?.original;
  return {
    name: group.name,
    ceiling: ceiling.maxSize,
    maxSize,
    desired: Math.min(after.desiredCapacity ?? group.desiredCapacity, maxSize),
    inService: group.inService,
    ...(original !== undefined ? { originalMaxSize: original } : {}),
    // CostGuard's value stands on the group (not merely recorded: a failed write leaves the record).
    clamped: d.record?.clamped === maxSize || (ctx.act && after.desiredCapacity !== undefined),
    binding: d.binding,
    ...(history ? { scaleOutHistory: history.map((h) => ({ time: formatTime(h.atMs), desired: h.desired })) } : {}),
    ...lastActionOf(d.changes, message, prior, ctx),
    ...maxSizeSetOf(d.changes, prior, { ctx, tagged: at.tagged }),
  };
}

function sameRecord(a: FieldRecord | undefined, b: FieldRecord | undefined): boolean {
  return a?.original === b?.original && a?.clamped === b?.clamped;
}

function minRecordPart(d: GroupDecision, before: FieldRecord | undefined): Pick<GroupAction, 'minRecord' | 'clearMinRecord'> {
  if (sameRecord(before, d.minRecord)) return {};
  return d.minRecord ? { minRecord: d.minRecord } : { clearMinRecord: true };
}

function groupAction(group: ScalingGroup, d: GroupDecision, at: { before: FieldRecord | undefined; minBefore: FieldRecord | undefined; nowMs: number; holders: HolderChanges }): GroupAction | undefined {
  const recordChanged = !sameRecord(at.before, d.record);
  const min = minRecordPart(d, at.minBefore);
  const holders = hasHolderChanges(at.holders) ? { holders: at.holders } : {};
  if (d.changes.length === 0 && !recordChanged && !min.minRecord && !min.clearMinRecord && !holders.holders) return undefined;
  const target = asgRef(group.name);
  const limits = limitsOf(d.changes);
  // A MaxSize write re-tags the record with its time, even when the values stay (a drift revert).
  const tag = d.record && (recordChanged || limits.maxSize !== undefined);
  const record = tag ? { record: d.record!, ...(limits.maxSize !== undefined ? { clampedAt: formatTime(at.nowMs) } : {}) } : {};
  return { kind: 'asg', target, name: group.name, limits, changes: d.changes, ...record, clearRecord: !d.record && at.before !== undefined, ...min, ...holders };
}

/** The group's record was written by another guard that still acts on it (not by this one, nor by one gone). */
function peerOwnsRecord(recordOwner: string | undefined, self: string, peers: readonly { guard: string }[]): boolean {
  return recordOwner !== undefined && recordOwner !== self && peers.some((p) => p.guard === recordOwner);
}

export function planGroup(
  resolved: { group: ScalingGroup; ceiling: GroupCeiling },
  prior: ScalingGroupStatus | undefined,
  at: { ctx: DecideContext; inputs: PlanInputs },
): TargetOutcome<ScalingGroupStatus> & { action?: GroupAction } {
  const { group } = resolved;
  const { ctx } = at;
  const target = asgRef(group.name);
  // Holds at current resolve against the desired capacity read here: before a write that is
  // the live read (the controller re-reads a group before it writes), so a freeze never sets
  // MaxSize below what the group runs at that moment.
  const holders = readHolders(group.tags);
  const recorded = recordedHolderCaps(holders, at.inputs.holding);
  const own = holdsOn(at.inputs.status, target);
  const peers = peerCapsOn(at.inputs, target);
  const given = capOf(resolved.ceiling.maxSize, own, [...peers, ...recorded], group.desiredCapacity);
  const record = readFieldRecord(group.tags, ASG_KEYS);
  const minRecord = readFieldRecord(group.tags, ASG_MIN_KEYS);
  const tagged = readMaxSizeWrite(group.tags);
  const stood = prior?.clamped === true && record !== undefined && prior.maxSize === record.clamped;
  const peerRecord = peerOwnsRecord(group.tags[OWNER_KEY], at.inputs.owner, peers);
  const d = decideGroup({ ceiling: resolved.ceiling, cap: given, observed: group, record, minRecord, memory: memoryOf(prior), stood, peerRecord }, ctx);
  const cap = d.cap;
  const status = groupStatus(resolved, d, prior, { ctx, cap, tagged });
  const ownCap = capOf(resolved.ceiling.maxSize, own, [], group.desiredCapacity).value;
  const holderChanges = decideHolders({ holders, holding: at.inputs.holding, record: d.record, ownCap, unsetMeans: Infinity, livePeers: peers.map((p) => p.guard) });
  const action = ctx.act ? groupAction(group, d, { before: record, minBefore: minRecord, nowMs: ctx.nowMs, holders: holderChanges }) : undefined;
  const repeated = !ctx.act && isRepeat(changesText(d, cap, ctx), prior);
  const heldBy = cap.by === 'spec' ? {} : { heldBy: holderText(cap) };
  const findings = d.changes.map((c) => ({ target, message: `${target}: ${findingText(c, { prior, tagged, cap }, ctx)}`, reason: c.reason, drift: c.reason === 'Drift', repeated, values: changeValues(c), ...heldBy }));
  return { status, ...(action ? { action } : {}), findings, binding: d.binding, ...heldBy, ...(recorded.length ? { recordHolders: recorded.map((r) => r.guard) } : {}) };
}
