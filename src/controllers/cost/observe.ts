// I/O: the capacity a guard's cost is computed from. Named groups come from the shared group
// snapshot (no extra Describe calls beyond the ceilings'), tag-selected ones from the port;
// a group launching from a template without mixed-instances overrides needs the template's
// instance type (EC2 DescribeLaunchTemplateVersions), cached per template version for an hour.
import type { CostGuard, ScalingGroupSpec } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { LaunchTemplates } from '../../cloud/launch-templates.ts';
import { parseMicros } from '../../cloud/pricing/money.ts';
import type { LaunchTemplateRef, ScalingGroup, ScalingGroups } from '../../cloud/scaling-groups.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { GroupSnapshots } from '../targets/group-snapshots.ts';
import { targetKey } from '../targets/group-snapshots.ts';
import { capGroups } from '../shared/target-cap.ts';
import type { PricedTarget } from './estimate-decide.ts';

export interface ObserveCostDeps {
  snapshots: GroupSnapshots;
  scalingGroups(target: AwsTarget): ScalingGroups;
  launchTemplates(target: AwsTarget): LaunchTemplates;
}

export interface ObservedGroup {
  priced: PricedTarget;
  desired: number;
}

const TEMPLATE_TTL_MS = 3_600_000;

/** Launch-template instance types, cached per (target, template, version). */
export class TemplateTypes {
  private readonly cache = new Map<string, { at: number; type: Promise<string | undefined> }>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get(ports: LaunchTemplates, target: AwsTarget, ref: LaunchTemplateRef): Promise<string | undefined> {
    const key = `${targetKey(target)}|${ref.id ?? ''}|${ref.name ?? ''}|${ref.version ?? '$Default'}`;
    const hit = this.cache.get(key);
    if (hit && this.clock.now() - hit.at < TEMPLATE_TTL_MS) return hit.type;
    const type = ports.instanceType(ref);
    type.catch(() => this.cache.delete(key));
    this.cache.set(key, { at: this.clock.now(), type });
    return type;
  }
}

async function mayLaunch(deps: ObserveCostDeps & { templates: TemplateTypes }, target: AwsTarget, g: ScalingGroup): Promise<string[]> {
  const running = Object.keys(g.inServiceByType ?? {});
  const overrides = g.overrideTypes ?? [];
  if (overrides.length) return [...new Set([...overrides, ...running])].sort();
  if (!g.launchTemplate) return [...new Set([...g.instanceTypes, ...running])].sort();
  const fromTemplate = await deps.templates.get(deps.launchTemplates(target), target, g.launchTemplate);
  return [...new Set([...(fromTemplate ? [fromTemplate] : []), ...running])].sort();
}

async function groupsOf(deps: ObserveCostDeps, target: AwsTarget, spec: ScalingGroupSpec, named: readonly ScalingGroup[]): Promise<ScalingGroup[]> {
  if (spec.name !== undefined) return named.filter((g) => g.name === spec.name);
  return deps.snapshots.select(target, spec.tagSelector ?? {});
}

interface Found {
  group: ScalingGroup;
  ceiling: number;
  override?: string;
}

function merge(prior: Found | undefined, group: ScalingGroup, spec: ScalingGroupSpec): Found {
  const override = prior?.override ?? spec.pricePerHour;
  return { group, ceiling: Math.min(prior?.ceiling ?? spec.maxSize, spec.maxSize), ...(override !== undefined ? { override } : {}) };
}

/**
 * Every group the guard names that exists, once: a group named by one entry and selected by
 * another gets the stricter ceiling (as the ceilings controller does) and the first price override.
 */
export async function observeCost(deps: ObserveCostDeps & { templates: TemplateTypes }, guard: CostGuard, target: AwsTarget): Promise<ObservedGroup[]> {
  const specs = guard.spec.scalingGroups ?? [];
  const names = specs.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  const named = names.length ? await deps.snapshots.describe(target, names) : [];
  const found = new Map<string, Found>();
  for (const spec of specs) {
    for (const g of await groupsOf(deps, target, spec, named)) found.set(g.name, merge(found.get(g.name), g, spec));
  }
  const out: ObservedGroup[] = [];
  // The groups the ceilings controller acts on, no more: beyond the cap no hold is written either.
  const sorted = [...found.values()].sort((a, b) => a.group.name.localeCompare(b.group.name));
  const { kept } = capGroups(sorted, (guard.spec.workloads?.length ?? 0) + (guard.spec.nodePools?.length ?? 0));
  for (const { group, ceiling, override } of kept) {
    const priced: PricedTarget = {
      target: `asg/${group.name}`,
      ceiling,
      running: group.inServiceByType ?? {},
      mayLaunch: await mayLaunch(deps, target, group),
      ...(override !== undefined ? { override: parseMicros(override) } : {}),
    };
    out.push({ priced, desired: group.desiredCapacity });
  }
  return out;
}
