// Observing Auto Scaling groups cheaply. Reconciles of many guards within one resync cycle
// share one snapshot per AWS target (region + role): the first reconcile that finds the
// snapshot stale describes every group any guard names for that target, in batches of 100,
// and the rest read from it. So 1,000 groups across 200 guards cost 10 Describe calls per
// cycle, not 200 or 1,000. Tag selectors are shared the same way (tag-snapshots.ts). Writes
// never trust a snapshot: see `fresh()`.
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { ScalingGroup, ScalingGroups } from '../../cloud/scaling-groups.ts';
import type { Clock } from '../../runtime/clock.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import { TagSnapshots, type TagSelector } from './tag-snapshots.ts';

interface Snapshot {
  at: number;
  names: ReadonlySet<string>;
  groups: ReadonlyMap<string, ScalingGroup>;
}

export interface GroupSnapshotsOptions {
  clock: Clock;
  /** How old a snapshot may be before a reconcile refreshes it (half the resync period: each resync burst reads afresh). */
  maxAgeMs: number;
  scalingGroups(target: AwsTarget): ScalingGroups;
  /** Every group name any guard currently names for this target (from the informer cache). */
  namesFor(target: AwsTarget): readonly string[];
  /** Every tag selector any guard currently names for this target; default none (each asker's own). */
  selectorsFor?(target: AwsTarget): readonly TagSelector[];
}

export function targetKey(target: AwsTarget): string {
  return `${target.region}|${target.roleArn ?? ''}`;
}

export class GroupSnapshots {
  private readonly opts: GroupSnapshotsOptions;
  private readonly cache: SnapshotCache<Snapshot>;
  private readonly tags: TagSnapshots;

  constructor(opts: GroupSnapshotsOptions) {
    this.opts = opts;
    this.cache = new SnapshotCache(opts.clock, opts.maxAgeMs);
    this.tags = new TagSnapshots({
      clock: opts.clock,
      maxAgeMs: opts.maxAgeMs,
      scalingGroups: (target) => opts.scalingGroups(target),
      selectorsFor: (target) => opts.selectorsFor?.(target) ?? [],
      targetKey,
    });
  }

  /** The groups a tag selector matches, as of at most `maxAgeMs` ago (shared by every guard); a caller may ask for younger. */
  select(target: AwsTarget, selector: TagSelector, maxAgeMs?: number): Promise<ScalingGroup[]> {
    return this.tags.select(target, selector, maxAgeMs);
  }

  /** The named groups as of at most `maxAgeMs` ago (or the caller's younger limit); absent names do not exist. */
  async describe(target: AwsTarget, names: readonly string[], maxAgeMs?: number): Promise<ScalingGroup[]> {
    const covers = (s: Snapshot): boolean => names.every((name) => s.names.has(name));
    const snapshot = await this.cache.get(targetKey(target), covers, (at) => this.load(target, names, at), maxAgeMs);
    return pick(snapshot, names);
  }

  /**
   * Reads the named groups from AWS now, bypassing the snapshot. Used before writing, so a
   * clamp is always computed from the live value: acting on a stale snapshot could "clamp"
   * a group someone already lowered back up to the ceiling.
   */
  async fresh(target: AwsTarget, names: readonly string[]): Promise<ScalingGroup[]> {
    const groups = await this.opts.scalingGroups(target).describe(names);
    for (const group of groups) {
      this.remember(target, group);
      this.tags.remember(target, group);
    }
    return groups;
  }

  /** Puts a freshly read group into the snapshot, so later reads in this cycle see it. */
  private remember(target: AwsTarget, group: ScalingGroup): void {
    this.cache.update(targetKey(target), (s) => ({ ...s, groups: new Map(s.groups).set(group.name, group) }));
  }

  /** Every name any guard names for the target, plus the asked ones, in one Describe. */
  private async load(target: AwsTarget, names: readonly string[], at: number): Promise<Snapshot> {
    const wanted = new Set([...this.opts.namesFor(target), ...names]);
    const groups = await this.opts.scalingGroups(target).describe([...wanted]);
    return { at, names: wanted, groups: new Map(groups.map((g) => [g.name, g])) };
  }
}

function pick(snapshot: Snapshot, names: readonly string[]): ScalingGroup[] {
  return names.flatMap((name) => {
    const group = snapshot.groups.get(name);
    return group ? [group] : [];
  });
}
