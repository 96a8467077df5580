// Tag-selected groups, shared per resync cycle like the named ones (group-snapshots.ts). The
// first reconcile that finds a target's tag snapshot stale or missing its selector runs one
// findByTags per distinct selector any guard names for that target (from the informer cache),
// and every other reconcile of the cycle, of any guard and any controller, reads from it. So
// 200 guards sharing a selector cost one paginated Describe per cycle, not 200 per reconcile.
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import { validateSelector, type ScalingGroup, type ScalingGroups } from '../../cloud/scaling-groups.ts';
import type { Clock } from '../../runtime/clock.ts';
import { SnapshotCache } from './snapshot-cache.ts';

export type TagSelector = Readonly<Record<string, string>>;

interface Snapshot {
  at: number;
  /** Group names per selector key. */
  matches: ReadonlyMap<string, readonly string[]>;
  groups: ReadonlyMap<string, ScalingGroup>;
}

export interface TagSnapshotsOptions {
  clock: Clock;
  maxAgeMs: number;
  scalingGroups(target: AwsTarget): ScalingGroups;
  /** Every tag selector any guard currently names for this target. */
  selectorsFor(target: AwsTarget): readonly TagSelector[];
  targetKey(target: AwsTarget): string;
}

/** The same selector however its keys are ordered. */
export function selectorKey(selector: TagSelector): string {
  return JSON.stringify(Object.entries(selector).sort(([a], [b]) => a.localeCompare(b)));
}

export class TagSnapshots {
  private readonly opts: TagSnapshotsOptions;
  private readonly cache: SnapshotCache<Snapshot>;

  constructor(opts: TagSnapshotsOptions) {
    this.opts = opts;
    this.cache = new SnapshotCache(opts.clock, opts.maxAgeMs);
  }

  /** The groups carrying every tag of `selector`, as of at most `maxAgeMs` ago. */
  async select(target: AwsTarget, selector: TagSelector, maxAgeMs?: number): Promise<ScalingGroup[]> {
    validateSelector(selector);
    const key = selectorKey(selector);
    // Another guard's malformed selector must not fail this one's refresh: it gets its own TypeError.
    const wanted = (): Map<string, TagSelector> => new Map([...this.opts.selectorsFor(target).filter(isValid), selector].map((s) => [selectorKey(s), s] as const));
    const snapshot = await this.cache.get(this.opts.targetKey(target), (s) => s.matches.has(key), (at) => this.describeAll(target, wanted(), at), maxAgeMs);
    return (snapshot.matches.get(key) ?? []).flatMap((name) => {
      const group = snapshot.groups.get(name);
      return group ? [group] : [];
    });
  }

  /** A group read live (before a write): later reads in this cycle see it. */
  remember(target: AwsTarget, group: ScalingGroup): void {
    this.cache.update(this.opts.targetKey(target), (s) => (s.groups.has(group.name) ? { ...s, groups: new Map(s.groups).set(group.name, group) } : undefined));
  }

  private async describeAll(target: AwsTarget, wanted: ReadonlyMap<string, TagSelector>, at: number): Promise<Snapshot> {
    const port = this.opts.scalingGroups(target);
    const found = await Promise.all([...wanted].map(async ([key, s]) => [key, await port.findByTags(s)] as const));
    const groups = new Map<string, ScalingGroup>();
    for (const [, list] of found) for (const g of list) groups.set(g.name, g);
    return { at, matches: new Map(found.map(([key, list]) => [key, list.map((g) => g.name)])), groups };
  }
}

function isValid(selector: TagSelector): boolean {
  try {
    validateSelector(selector);
    return true;
  } catch {
    return false;
  }
}
