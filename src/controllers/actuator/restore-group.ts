// Pure: what onDelete Restore writes on one Auto Scaling group, from the records on its tags.
// MaxSize by the one release rule (restore-decide.ts, with the remaining guards' caps); MinSize
// follows the restored MaxSize by the same rule a reconcile uses (asg-decide.ts). Tags that pass
// a record to a remaining guard are written before the values, cleared ones after.
import type { ScalingGroup, ScalingLimits } from '../../cloud/scaling-groups.ts';
import { minSizeChange } from './asg-decide.ts';
import type { PeerCap } from './caps.ts';
import type { FieldRecord } from './field-decide.ts';
import { asgRef } from '../targets/observed.ts';
import { ASG_KEYS, ASG_MIN_KEYS, ASG_MIN_RECORD_KEYS, ASG_RECORD_KEYS, OWNER_KEY, readFieldRecord, writeFieldRecord } from '../targets/records.ts';
import { decideRestore, type RestoreStep } from './restore-decide.ts';

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

function clearedOf(step: RestoreStep, min: MinPlan): string[] {
  return [...(step.record.kind === 'remove' ? ASG_RECORD_KEYS : []), ...(min.had && !min.record ? ASG_MIN_RECORD_KEYS : [])];
}

export function planGroupRestore(group: ScalingGroup, peers: readonly PeerCap[]): GroupRestorePlan {
  const record = readFieldRecord(group.tags, ASG_KEYS);
  if (!record) return { steps: [], tags: {}, limits: {}, cleared: [] };
  const step = decideRestore({ target: asgRef(group.name), field: 'MaxSize', exists: true, current: group.maxSize, unsetMeans: Infinity, record, peers });
  const min = minPlan(group, step.write?.to ?? group.maxSize);
  return { steps: min.step ? [step, min.step] : [step], tags: tagsOf(group, step, min), limits: limitsOf(step, min), cleared: clearedOf(step, min) };
}
