// The things a CostGuard puts ceilings on: EC2 Auto Scaling groups, Karpenter NodePools,
// replica counts, and the fleet-wide concurrency of a worker Deployment.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CONCURRENCY_WORKLOAD_KINDS, WORKLOAD_KINDS } from './constants.ts';
import { Ceiling, Decimal, Duration, ObjectName } from './common.ts';
import { ListMap, MapOf, Quantity, StringEnum, withRules } from './kit.ts';

export const MAX_SCALING_GROUPS = 50;

export const MaxScaleOut = Type.Object(
  {
    instances: Ceiling({
      description: 'How many instances capacity may grow by within any period of length `per`.',
      maximum: 10000,
    }),
    per: Duration({ description: 'The period of the rate limit, e.g. 10m.', max: '24h' }),
  },
  {
    description:
      'Scale-out rate limit: capacity may grow by at most `instances` within any period of length `per` ' +
      '(a sliding window). Enforced by holding MaxSize at the lowest DesiredCapacity of the last `per` plus ' +
      '`instances`, so the group\'s own scaling policy never launches what would have to be terminated; ' +
      'MaxSize follows back up to the ceiling as the window slides. The window is evaluated at each resync, ' +
      'so a `per` shorter than the resync period acts as the resync period. DryRun reports only.',
  },
);

const ScalingGroupBase = Type.Object(
  {
    name: Type.Optional(
      Type.String({ description: 'Name of the Auto Scaling group. Set exactly one of name or tagSelector.', minLength: 1, maxLength: 255 }),
    ),
    tagSelector: Type.Optional(
      MapOf(Type.String({ description: 'Tag value that must match exactly.', maxLength: 256 }), {
        description:
          'Selects every Auto Scaling group carrying all of these tags (key: value). Each match gets ' +
          'the same ceiling. Must not be empty, since an empty selector would match every group in the account. ' +
          'One guard acts on at most 200 targets (groups, workloads and NodePools together): beyond that, the first groups ' +
          'by name are enforced, the rest are left alone and CeilingsEnforced says so (TooManyTargets). ' +
          'Matches are looked up once per resync period, shared by every guard.',
        minProperties: 1,
        maxProperties: 10,
      }),
    ),
    maxSize: Ceiling({
      description: 'Hard ceiling for MaxSize and DesiredCapacity. CostGuard lowers a group above it, and raises MaxSize only back toward what it was before CostGuard lowered it (the ceiling was raised or a hold lifted).',
      maximum: 10000,
    }),
    maxScaleOut: Type.Optional(MaxScaleOut),
    pricePerHour: Type.Optional(
      Decimal({
        description:
          'On-demand USD per instance-hour, overriding the shipped price table (e.g. for a Savings Plan ' +
          'rate). "0" counts the group as free.',
      }),
    ),
  },
  { description: 'An EC2 Auto Scaling group, by name or by tags, and its ceiling.' },
);

export const ScalingGroupSpec = withRules(ScalingGroupBase, [
  {
    rule: 'has(self.name) != has(self.tagSelector)',
    message: 'exactly one of name or tagSelector must be set',
    check: (self) => (self.name !== undefined) !== (self.tagSelector !== undefined),
  },
]);
export type ScalingGroupSpec = Static<typeof ScalingGroupSpec>;

export const ScalingGroups = withRules(
  Type.Array(ScalingGroupSpec, {
    description: 'EC2 Auto Scaling groups to cap, each by name or by tags.',
    minItems: 1,
    maxItems: MAX_SCALING_GROUPS,
  }),
  [
    {
      rule: 'self.all(a, !has(a.name) || self.exists_one(b, has(b.name) && b.name == a.name))',
      message: 'scaling group names must be unique',
      check: (self) => {
        const names = self.flatMap((g) => (g.name === undefined ? [] : [g.name]));
        return new Set(names).size === names.length;
      },
    },
  ],
);

/** Zero or negative quantities are typos: the pattern forbids a sign, the rule forbids zero. */
function PositiveQuantity(description: string) {
  return withRules(Quantity({ description }), [
    {
      rule: "string(self).matches('^[0-9.]*[1-9]')",
      message: 'must be greater than zero',
      check: (self) => /^[0-9.]*[1-9]/.test(String(self)),
    },
  ]);
}

export const NodePoolLimits = Type.Object(
  {
    cpu: Type.Optional(PositiveQuantity('Ceiling for the NodePool CPU limit, e.g. "400" or "500m".')),
    memory: Type.Optional(PositiveQuantity('Ceiling for the NodePool memory limit, e.g. "1600Gi".')),
    nodes: Type.Optional(PositiveQuantity('Ceiling for the NodePool node-count limit, e.g. "50".')),
  },
  {
    description:
      'Ceilings for the NodePool spec.limits; at least one is required. Quantities must be positive. ' +
      'A static NodePool (spec.replicas set) takes only nodes: Karpenter refuses cpu and memory limits on it, so ' +
      'those ceilings are not applied and CeilingsEnforced says so (CeilingNotApplicable).',
    minProperties: 1,
  },
);

export const NodePoolSpec = Type.Object(
  {
    name: ObjectName({ description: 'Name of the Karpenter NodePool (karpenter.sh/v1, cluster-scoped).' }),
    limits: NodePoolLimits,
  },
  { description: 'A Karpenter NodePool whose spec.limits CostGuard keeps at or below these ceilings.' },
);
export type NodePoolSpec = Static<typeof NodePoolSpec>;

export const NodePools = ListMap(NodePoolSpec, ['name'], {
  description: 'Karpenter NodePools (karpenter.sh/v1) whose spec.limits get ceilings. Each name may appear once.',
  minItems: 1,
  maxItems: 20,
});

export const WorkloadSpec = Type.Object(
  {
    kind: StringEnum(WORKLOAD_KINDS, {
      description:
        'Kind of the target: Deployment or StatefulSet (spec.replicas), HorizontalPodAutoscaler ' +
        '(spec.maxReplicas), KEDA ScaledObject (spec.maxReplicaCount) or KEDA ScaledJob (spec.maxReplicaCount: ' +
        'the Jobs running at once). A ScaledObject whose minReplicaCount is above the ceiling is left as it is ' +
        '(KEDA refuses a maxReplicaCount below minReplicaCount, and CostGuard does not lower minReplicaCount): ' +
        'CeilingsEnforced says so (CeilingNotApplicable) until minReplicaCount is lowered.',
    }),
    name: ObjectName({ description: 'Name of the target, in the namespace of the CostGuard.' }),
    maxReplicas: Ceiling({ description: 'Replica ceiling for the target.', maximum: 100000 }),
  },
  { description: 'A replica ceiling for one workload or autoscaler.' },
);
export type WorkloadSpec = Static<typeof WorkloadSpec>;

export const Workloads = ListMap(WorkloadSpec, ['kind', 'name'], {
  description: 'Replica ceilings. Each (kind, name) pair may appear once.',
  minItems: 1,
  maxItems: 50,
});

export const WorkloadRef = Type.Object(
  {
    kind: StringEnum(CONCURRENCY_WORKLOAD_KINDS, { description: 'Deployment or StatefulSet.' }),
    name: ObjectName({ description: 'Name of the workload, in the namespace of the CostGuard.' }),
  },
  { description: 'The workload whose replicas share the fleet-wide cap.' },
);

export const ConcurrencySpec = withRules(
  Type.Object(
    {
      workload: WorkloadRef,
      fleetMax: Ceiling({
        description: 'Most jobs in flight across all replicas together.',
        maximum: 1_000_000,
      }),
      perReplicaMax: Ceiling({
        description:
          'Most jobs in flight in one replica. The published per-replica limit is ' +
          'min(perReplicaMax, floor(fleetMax / replicas)), and at least 1.',
        maximum: 100_000,
      }),
    },
    {
      description:
        'Fleet-wide in-flight cap, published to the worker library in each replica, which applies it live.',
    },
  ),
  [
    {
      rule: 'self.fleetMax >= self.perReplicaMax',
      message: 'fleetMax must be greater than or equal to perReplicaMax',
      fieldPath: '.fleetMax',
      check: (self) => self.fleetMax >= self.perReplicaMax,
    },
  ],
);
export type ConcurrencySpec = Static<typeof ConcurrencySpec>;
