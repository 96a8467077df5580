// Pure: what onDelete Restore writes on one Auto Scaling group, from the records on its tags.
// MaxSize by the one release rule (restore-decide.ts, with the remaining guards' caps); MinSize
// follows the restored MaxSize by the same rule a reconcile uses (asg-decide.ts). Tags that pass
// a record to a remaining guard are written before the values, cleared ones after.
import type { ScalingGroup, ScalingLimits } from '../../cloud/scaling-groups.ts';
import { minSizeChange } from './asg-decide.ts';
import type { PeerCap } from './caps.ts';
import type { FieldRecord } from './field-decide.ts';
import { asgRef } from '../targets/observed.ts';
import { ASG_KEYS, ASG_MIN_KEYS, ASG_MIN_RECORD_KEYS, ASG_RECORD_KEYS, OWNER_KEY, readFieldRecord, readHolders, writeFieldRecord } from '../targets/records.ts';
import { decideKeep, decideRestore, type RestoreStep } from './restore-decide.ts';
import { leaveHolders, recordedHolderCaps, type Holding } from './holders-decide.ts';

export interface GroupRestorePlan {
  steps: RestoreStep[];
  /** Record tags to write before the values (a record passed on to a remaining guard). */
  tags: Record<string, string>;
  limits: ScalingLimits;
  /** Record tags to remove after the values. */
  cleared: string[];
}

interface MinPlan {
  step?: RestoreStep;
  write?: number;
  record: FieldRecord | undefined;
  had: boolean;
}

function minPlan(group: ScalingGroup, maxAfter: number): MinPlan {
  const before = readFieldRecord(group.tags, ASG_MIN_KEYS);
  if (!before) return { record: undefined, had: false };
  const d = minSizeChange(group, maxAfter, before);
  if (!d.change) return { record: d.record, had: true };
  const why = d.record ? `up to MaxSize ${maxAfter}` : 'the recorded original';
  const step: RestoreStep = { target: asgRef(group.name), field: 'MinSize', write: { from: d.change.from, to: d.change.to, why }, record: d.record ? { kind: 'keep' } : { kind: 'remove' } };
  return { step, write: d.change.to, record: d.record, had: true };
}

function limitsOf(step: RestoreStep, min: MinPlan): ScalingLimits {
  return { ...(step.write?.to !== undefined ? { maxSize: step.write.to } : {}), ...(min.write !== undefined ? { minSize: min.write } : {}) };
}

function tagsOf(group: ScalingGroup, step: RestoreStep, min: MinPlan): Record<string, string> {
  const owner = step.record.kind === 'set' ? step.record.owner : (group.tags[OWNER_KEY] ?? '');
  const maxTags = step.record.kind === 'set' ? writeFieldRecord(step.record.record, ASG_KEYS, owner) : {};
  const minTags = min.record && min.step ? writeFieldRecord(min.record, ASG_MIN_KEYS, owner) : {};
  return { ...maxTags, ...minTags };
}

/** The record's keys that go: all of them with the record (no one holds a target without one), else this guard's name and stale ones. */
function clearedOf(step: RestoreStep, min: MinPlan, holderKeys: { all: string[]; leaving: string[] }): string[] {
  const record = step.record.kind === 'remove' ? [...ASG_RECORD_KEYS, ...holderKeys.all] : holderKeys.leaving;
  return [...record, ...(min.had && !min.record ? ASG_MIN_RECORD_KEYS : [])];
}

/** Keep leaves MinSize as it is; its record goes with MaxSize's (no one will give it back). */
function keptMin(group: ScalingGroup, step: RestoreStep): MinPlan {
  const record = readFieldRecord(group.tags, ASG_MIN_KEYS);
  return { record: step.record.kind === 'remove' ? undefined : record, had: record !== undefined };
}

/** How the leaving guard treats its groups: onDelete Restore, or Keep with its own cap. */
export type Leaving = { policy: 'Restore' } | { policy: 'Keep'; ownCap: number };

/**
 * What a guard leaving a group writes. The others that still hold it — live peers, and holders
 * this operator cannot see act, through the caps they recorded — keep it no higher than they
 * asked; this guard's name comes off the record either way.
 */
export function planGroupRestore(group: ScalingGroup, peers: readonly PeerCap[], holding?: Holding, leaving: Leaving = { policy: 'Restore' }): GroupRestorePlan {
  const holders = readHolders(group.tags);
  const holderKeys = { all: holders.map((h) => h.key), leaving: leaveHolders(holders, holding, peers.map((p) => p.guard)) };
  const record = readFieldRecord(group.tags, ASG_KEYS);
  if (!record) return { steps: [], tags: {}, limits: {}, cleared: holderKeys.leaving };
  const input = { target: asgRef(group.name), field: 'MaxSize', exists: true, current: group.maxSize, unsetMeans: Infinity, record, peers: [...peers, ...recordedHolderCaps(holders, holding)] };
  const step = leaving.policy === 'Keep' ? decideKeep({ ...input, ownCap: leaving.ownCap }) : decideRestore(input);
  const min = leaving.policy === 'Keep' ? keptMin(group, step) : minPlan(group, step.write?.to ?? group.maxSize);
  return { steps: min.step ? [step, min.step] : [step], tags: tagsOf(group, step, min), limits: limitsOf(step, min), cleared: clearedOf(step, min, holderKeys) };
}
