// The ScalingGroups port on EC2 Auto Scaling. Four API calls only, behind the narrow
// AutoScalingApi so unit tests can script them; batching, pagination and mapping live here,
// throttling/breaking/classification in the shared guard (clients.ts).
import type {
  AutoScalingClient,
  AutoScalingGroup,
  LaunchTemplateSpecification,
  Tag,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { matchesSelector, validateLimits, validateSelector, validateTags, type LaunchTemplateRef, type ScalingGroup, type ScalingGroups, type ScalingLimits } from '../scaling-groups.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

/** The Auto Scaling calls CostGuard makes; nothing else of the SDK leaks past this file. */
export interface AutoScalingApi {
  describeAutoScalingGroups(input: DescribeAutoScalingGroupsCommandInput): Promise<Pick<DescribeAutoScalingGroupsCommandOutput, 'AutoScalingGroups' | 'NextToken'>>;
  updateAutoScalingGroup(input: UpdateAutoScalingGroupCommandInput): Promise<void>;
  createOrUpdateTags(tags: Tag[]): Promise<void>;
  deleteTags(tags: Tag[]): Promise<void>;
}

const sdk = lazy(() => import('@aws-sdk/client-auto-scaling'));
type Sdk = Awaited<ReturnType<typeof sdk>>;

export const AUTOSCALING: AwsService<AutoScalingClient> = { name: 'autoscaling', create: async (config) => new (await sdk()).AutoScalingClient(config) };

/** AWS's ceiling for MaxRecords, and for names per DescribeAutoScalingGroups once MaxRecords is raised. */
export const MAX_PAGE_SIZE = 100;

/** AutoScalingApi on a real (or moto) endpoint, every call through the shared guard. */
export function autoScalingApi(clients: AwsClients, target: AwsTarget): AutoScalingApi {
  // The client (and the SDK) is loaded outside the guard: a bad target is a TypeError for the
  // caller, not a retryable AWS failure, and loading never holds a limiter slot.
  const send = async <T>(operation: string, fn: (client: AutoScalingClient, m: Sdk) => Promise<T>): Promise<T> => {
    const [client, m] = await Promise.all([clients.client(AUTOSCALING, target), sdk()]);
    return clients.call(AUTOSCALING.name, operation, () => fn(client, m));
  };
  return {
    describeAutoScalingGroups: (input) => send('DescribeAutoScalingGroups', (c, m) => c.send(new m.DescribeAutoScalingGroupsCommand(input), clients.sendOptions())),
    updateAutoScalingGroup: async (input) => {
      await send('UpdateAutoScalingGroup', (c, m) => c.send(new m.UpdateAutoScalingGroupCommand(input), clients.sendOptions()));
    },
    createOrUpdateTags: async (Tags) => {
      await send('CreateOrUpdateTags', (c, m) => c.send(new m.CreateOrUpdateTagsCommand({ Tags }), clients.sendOptions()));
    },
    deleteTags: async (Tags) => {
      await send('DeleteTags', (c, m) => c.send(new m.DeleteTagsCommand({ Tags }), clients.sendOptions()));
    },
  };
}

export interface AwsScalingGroupsOptions {
  /** MaxRecords and names per call, 1..100 (default 100). Smaller only to exercise paging in tests. */
  pageSize?: number;
}

export class AwsScalingGroups implements ScalingGroups {
  private readonly api: AutoScalingApi;
  private readonly pageSize: number;

  constructor(api: AutoScalingApi, options: AwsScalingGroupsOptions = {}) {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new TypeError(`pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
    this.api = api;
    this.pageSize = pageSize;
  }

  async describe(names: readonly string[]): Promise<ScalingGroup[]> {
    const unique = [...new Set(names)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += this.pageSize) batches.push(unique.slice(i, i + this.pageSize));
    // Concurrent on purpose: the shared limiter, not this loop, decides how many run at once.
    const pages = await Promise.all(batches.map((batch) => this.listAll({ AutoScalingGroupNames: batch })));
    return pages.flat().map(toScalingGroup);
  }

  async findByTags(selector: Readonly<Record<string, string>>): Promise<ScalingGroup[]> {
    validateSelector(selector);
    // One `tag:KEY` filter per pair; AWS (and moto) AND the filters together. The filter is
    // re-checked locally so that a backend's looser matching can never widen a ceiling's reach.
    const Filters = Object.entries(selector).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
    const groups = (await this.listAll({ Filters })).map(toScalingGroup);
    return groups.filter((g) => matchesSelector(g.tags, selector));
  }

  async setLimits(name: string, limits: ScalingLimits): Promise<void> {
    validateLimits(name, limits);
    await this.api.updateAutoScalingGroup({
      AutoScalingGroupName: name,
      MinSize: limits.minSize,
      MaxSize: limits.maxSize,
      DesiredCapacity: limits.desiredCapacity,
    });
  }

  async setTags(name: string, tags: Readonly<Record<string, string>>): Promise<void> {
    validateTags(name, Object.keys(tags));
    await this.api.createOrUpdateTags(Object.entries(tags).map(([Key, Value]) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false })));
  }

  async deleteTags(name: string, keys: readonly string[]): Promise<void> {
    validateTags(name, keys);
    await this.api.deleteTags(keys.map((Key) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key })));
  }

  private async listAll(input: DescribeAutoScalingGroupsCommandInput): Promise<AutoScalingGroup[]> {
    const out: AutoScalingGroup[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.api.describeAutoScalingGroups({ ...input, MaxRecords: this.pageSize, NextToken });
      out.push(...(page.AutoScalingGroups ?? []));
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  }
}

/** The port on AWS for one guard's target. */
export function awsScalingGroups(clients: AwsClients, target: AwsTarget, options?: AwsScalingGroupsOptions): ScalingGroups {
  return new AwsScalingGroups(autoScalingApi(clients, target), options);
}

export function toScalingGroup(g: AutoScalingGroup): ScalingGroup {
  const instances = g.Instances ?? [];
  const overrides = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  const types = [...instances.map((i) => i.InstanceType), ...overrides.map((o) => o.InstanceType)];
  const group: ScalingGroup = {
    name: g.AutoScalingGroupName ?? '',
    arn: g.AutoScalingGroupARN ?? '',
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    inService: instances.filter((i) => i.LifecycleState === 'InService').length,
    instanceTypes: [...new Set(types.filter((t): t is string => !!t))].sort(),
    tags: Object.fromEntries((g.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? ''])),
  };
  const withCost = { ...group, ...costFields(g) };
  return g.CreatedTime ? { ...withCost, createdTime: g.CreatedTime } : withCost;
}

/** What the cost estimate needs beyond the ceilings: types in service, overrides, launch template. */
function costFields(g: AutoScalingGroup): Pick<ScalingGroup, 'inServiceByType' | 'overrideTypes' | 'launchTemplate'> {
  const ref = templateRef(g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification);
  return { inServiceByType: inServiceByType(g), overrideTypes: overrideTypes(g), ...(ref ? { launchTemplate: ref } : {}) };
}

function inServiceByType(g: AutoScalingGroup): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of g.Instances ?? []) {
    if (i.LifecycleState === 'InService' && i.InstanceType) out[i.InstanceType] = (out[i.InstanceType] ?? 0) + 1;
  }
  return out;
}

function overrideTypes(g: AutoScalingGroup): string[] {
  const overrides = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  return [...new Set(overrides.flatMap((o) => (o.InstanceType ? [o.InstanceType] : [])))].sort();
}

function templateRef(spec: LaunchTemplateSpecification | undefined): LaunchTemplateRef | undefined {
  if (!spec?.LaunchTemplateId && !spec?.LaunchTemplateName) return undefined;
  const fields = { id: spec.LaunchTemplateId, name: spec.LaunchTemplateName, version: spec.Version };
  const ref: LaunchTemplateRef = Object.fromEntries(Object.entries(fields).filter(([, v]) => v));
  return ref;
}
