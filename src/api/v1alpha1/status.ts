// status: what CostGuard observed and did. Written only through the status subresource.
// Money is a decimal string so "12.00" is exact; counts are integers; times are RFC 3339.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { BRAKE_ACTIONS, BREAKER_STATES, EFFECTIVE_MODES, HOLD_OWNERS, RUNAWAY_STATES, WORKLOAD_KINDS } from './constants.ts';
import { Conditions, Decimal, LastAction, Time } from './common.ts';
import { ListMap, Quantity, StringEnum } from './kit.ts';

const count = (description: string) => Type.Integer({ description, minimum: 0, format: 'int32' });
const usd = (description: string) => Decimal({ description });

export const ScalingGroupStatus = Type.Object(
  {
    name: Type.String({ description: 'Name of the Auto Scaling group (resolved from tagSelector if needed).', maxLength: 255 }),
    ceiling: count('The ceiling that applies to this group, from spec.'),
    maxSize: count('MaxSize as last observed.'),
    desired: count('DesiredCapacity as last observed.'),
    inService: Type.Optional(count('Instances InService as last observed.')),
    originalMaxSize: Type.Optional(count('MaxSize before CostGuard first clamped it; restored on delete with onDelete Restore.')),
    clamped: Type.Boolean({ description: 'True while CostGuard holds MaxSize or DesiredCapacity below what was asked.' }),
    binding: Type.Optional(
      Type.Boolean({ description: 'True while demand sits at the ceiling or the scale-out rate limit (DesiredCapacity held or at the ceiling).' }),
    ),
    scaleOutHistory: Type.Optional(
      Type.Array(
        Type.Object({
          time: Time('When DesiredCapacity was observed.'),
          desired: count('DesiredCapacity then.'),
        }),
        {
          description:
            'The scale-out rate limit\'s sliding window (only with maxScaleOut): the lowest DesiredCapacity seen within the last `per`, ' +
            'as a short increasing list. MaxSize is held at that lowest value + maxScaleOut.instances.',
          maxItems: 16,
        },
      ),
    ),
    estimatedHourly: Type.Optional(usd('USD per hour of the instances in service.')),
    lastAction: Type.Optional(LastAction),
    maxSizeSet: Type.Optional(
      Type.Object(
        {
          value: count('The MaxSize CostGuard wrote.'),
          time: Time('When CostGuard wrote it.'),
        },
        { description: 'The last MaxSize CostGuard wrote to the group, and when: what a DriftReverted event reports as "CostGuard set".' },
      ),
    ),
  },
  { description: 'Observed state of one Auto Scaling group.' },
);
export type ScalingGroupStatus = Static<typeof ScalingGroupStatus>;

export const WorkloadStatus = Type.Object(
  {
    kind: StringEnum(WORKLOAD_KINDS, { description: 'Kind of the target.' }),
    name: Type.String({ description: 'Name of the target.', maxLength: 253 }),
    ceiling: count('The replica ceiling from spec.'),
    maxReplicas: Type.Optional(count('The observed ceiling field (spec.replicas, maxReplicas or maxReplicaCount).')),
    replicas: Type.Optional(count('Replicas currently running.')),
    originalMaxReplicas: Type.Optional(count('The field value before CostGuard first clamped it.')),
    clamped: Type.Boolean({ description: 'True while CostGuard holds the target below what was asked.' }),
    binding: Type.Optional(Type.Boolean({ description: 'True while demand sits at the ceiling (e.g. an HPA at max that wants more).' })),
    lastAction: Type.Optional(LastAction),
  },
  { description: 'Observed state of one workload or autoscaler.' },
);
export type WorkloadStatus = Static<typeof WorkloadStatus>;

const Resources = (description: string) =>
  Type.Object(
    {
      cpu: Type.Optional(Quantity({ description: 'CPU.' })),
      memory: Type.Optional(Quantity({ description: 'Memory.' })),
      nodes: Type.Optional(Quantity({ description: 'Nodes.' })),
    },
    { description },
  );

export const NodePoolStatus = Type.Object(
  {
    name: Type.String({ description: 'Name of the NodePool.', maxLength: 253 }),
    limits: Type.Optional(Resources('spec.limits of the NodePool as last observed.')),
    usage: Type.Optional(Resources('Resources the NodePool\'s nodes provide now (status.resources).')),
    originalLimits: Type.Optional(Resources('spec.limits before CostGuard first clamped them.')),
    clamped: Type.Boolean({ description: 'True while CostGuard holds a limit below what was asked.' }),
    binding: Type.Optional(Type.Boolean({ description: 'True while usage has reached a ceiling.' })),
    lastAction: Type.Optional(LastAction),
  },
  { description: 'Observed state of one Karpenter NodePool.' },
);
export type NodePoolStatus = Static<typeof NodePoolStatus>;

export const ConcurrencyStatus = Type.Object(
  {
    replicas: count('Replicas of the concurrency workload the limit is computed for: the larger of spec.replicas and status.replicas.'),
    perReplicaLimit: count('The per-replica in-flight limit: min(perReplicaMax, floor(fleetMax / replicas)), at least 1.'),
    fleetInFlightCap: Type.Optional(count('Jobs that may be in flight across the fleet: replicas × perReplicaLimit.')),
    fleetMaxReachable: Type.Optional(
      Type.Boolean({ description: 'False when replicas exceed fleetMax, so even a limit of 1 per replica lets more than fleetMax jobs run.' }),
    ),
    frozen: Type.Boolean({ description: 'True while the brake tells workers to stop retrying.' }),
    configMap: Type.Optional(Type.String({ description: 'Name of the ConfigMap the settings are published in (costguard-<guard name>).', maxLength: 253 })),
    publishedAt: Type.Optional(Time('When the published settings last changed.')),
  },
  { description: 'The fleet-wide concurrency limit as published to the worker library.' },
);
export type ConcurrencyStatus = Static<typeof ConcurrencyStatus>;

export const SpendBaseline = Type.Object(
  {
    sampledAt: Type.Optional(Time('When the estimate was last sampled into the baseline (every 5 minutes).')),
    hourStart: Time('Start of the UTC hour whose samples are being averaged now.'),
    hourAverage: usd('Mean of the estimate over the samples of that hour so far.'),
    hourSamples: count('Samples taken in that hour so far.'),
    byHour: Type.Array(usd('Mean USD/h for one UTC hour of day.'), {
      description:
        'Baseline USD/h per UTC hour of day (24 entries, index = hour) when baselineWindow is at least 2d, ' +
        'so a daily pattern is compared with itself; a single entry for shorter windows.',
      maxItems: 24,
    }),
    samples: Type.Array(count('Completed periods folded into the matching byHour entry.'), {
      description: 'How many days (or hours, with a single entry) each byHour entry averages, at most the window.',
      maxItems: 24,
    }),
  },
  { description: 'The anomaly baseline, kept compactly in status so a restart does not reset it.' },
);
export type SpendBaseline = Static<typeof SpendBaseline>;

export const CostExplorerCheck = Type.Object(
  {
    checkedAt: Time('When Cost Explorer was last asked (at most once a day per guard).'),
    day: Type.String({ description: 'The last complete UTC day Cost Explorer reported, YYYY-MM-DD.', maxLength: 10 }),
    dailyCost: usd('Unblended cost of that day, in USD.'),
    dailyAverage: Type.Optional(usd('Mean daily cost of the days before it within baselineWindow (at most 14).')),
  },
  { description: 'The daily cross-check of the spend baseline against Cost Explorer.' },
);
export type CostExplorerCheck = Static<typeof CostExplorerCheck>;

export const CostStatus = Type.Object(
  {
    estimatedHourly: Type.Optional(usd('Live USD/h estimate: running capacity × price.')),
    worstCaseHourly: Type.Optional(usd('USD/h if every target ran at its ceiling.')),
    priceTable: Type.Optional(Type.String({ description: 'Version of the shipped price table the estimate used.', maxLength: 64 })),
    baselineHourly: Type.Optional(usd('Baseline USD/h over anomaly.baselineWindow, for the current hour of day.')),
    baseline: Type.Optional(SpendBaseline),
    costExplorer: Type.Optional(CostExplorerCheck),
    budgetName: Type.Optional(Type.String({ description: 'Name of the AWS Budget CostGuard manages.', maxLength: 100 })),
    budgetManaged: Type.Optional(
      Type.Boolean({ description: 'True when CostGuard created the budget; only then does it change or delete it.' }),
    ),
    budgetActual: Type.Optional(usd('Actual spend this month in USD, from AWS Budgets.')),
    budgetForecast: Type.Optional(usd('Forecast month-end spend in USD, from AWS Budgets.')),
    budgetPercent: Type.Optional(count('Forecast (or actual, if higher) as a percentage of the monthly limit.')),
    budgetReadAt: Type.Optional(Time('When the budget was last read from AWS Budgets.')),
    updatedAt: Type.Optional(Time('When the estimate was last computed.')),
  },
  { description: 'Cost estimates and AWS Budget readings.' },
);
export type CostStatus = Static<typeof CostStatus>;

export const RunawayStatus = Type.Object(
  {
    state: StringEnum(RUNAWAY_STATES, {
      description: 'Normal, Suspected (signature seen), Braking (the brake holds) or Recovering (releasing in steps).',
    }),
    score: Type.Optional(Type.Integer({ description: 'How strongly the signals match the runaway signature, 0-100.', minimum: 0, maximum: 100 })),
    since: Type.Optional(Time('When the state last changed.')),
    evidence: Type.Optional(
      Type.Array(Type.String({ description: 'One measured fact.', maxLength: 512 }), {
        description: 'The numbers behind the verdict, e.g. "capacity 4→19 (+375%) in 30m".',
        maxItems: 20,
      }),
    ),
  },
  { description: 'The runaway detector\'s verdict and its evidence.' },
);
export type RunawayStatus = Static<typeof RunawayStatus>;

export const BreakerStatus = Type.Object(
  {
    state: StringEnum(BREAKER_STATES, {
      description:
        'Fleet breaker state: Open (the open share reached fleetOpenPercent), HalfOpen (not enough open, but open plus ' +
        'half-open reach it: the workers are probing the downstream), Closed, or Unknown (unreachable replicas could tip it either way).',
    }),
    openReplicas: count('Replicas with at least one open breaker.'),
    halfOpenReplicas: Type.Optional(count('Replicas with a half-open breaker and none open.')),
    unknownReplicas: Type.Optional(count('Replicas whose metrics could not be read; they count as unknown, never as closed.')),
    replicas: count('Running pods of the workload that were scraped (reachable or not).'),
    unreachable: Type.Optional(
      Type.Array(Type.String({ description: 'A pod and why it could not be read.', maxLength: 512 }), {
        description: 'The unreachable pods (at most 10 listed).',
        maxItems: 10,
      }),
    ),
    since: Type.Optional(Time('When the state last changed.')),
  },
  { description: 'The fleet quorum of the workers\' circuit breakers.' },
);
export type BreakerStatus = Static<typeof BreakerStatus>;

export const SavedValue = Type.Object(
  {
    target: Type.String({ description: 'The target, e.g. asg/orders-worker-asg or hpa/orders-worker.', maxLength: 512 }),
    field: Type.String({ description: 'The field held by the brake, e.g. MaxSize or spec.maxReplicas.', maxLength: 256 }),
    original: Type.String({ description: 'Its value before the brake, restored on release.', maxLength: 256 }),
    held: Type.Optional(Type.String({ description: 'The value the brake pinned it at (current capacity when it engaged).', maxLength: 256 })),
  },
  { description: 'A value the brake changed, kept so the release can put it back.' },
);
export type SavedValue = Static<typeof SavedValue>;

export const BrakeStatus = Type.Object(
  {
    action: StringEnum(BRAKE_ACTIONS, { description: 'The stage engaged: Freeze or Shed.' }),
    engagedAt: Time('When the brake engaged.'),
    reason: Type.String({ description: 'Why it engaged, a human sentence.', maxLength: 1024 }),
    saved: Type.Optional(
      ListMap(SavedValue, ['target', 'field'], { description: 'Original values to restore on release.', maxItems: 200 }),
    ),
    healthySince: Type.Optional(Time('Since when the signals have been healthy without a break; the release starts after spec.runaway.cooldown.')),
    releaseStep: Type.Optional(
      Type.Integer({ description: 'Release steps taken (half-open): each raises the holds a quarter of the way back to the originals.', minimum: 0, maximum: 100 }),
    ),
    stepAt: Type.Optional(Time('When the last release step was taken.')),
  },
  { description: 'The brake, while engaged or releasing. Absent when it is off.' },
);
export type BrakeStatus = Static<typeof BrakeStatus>;

export const Hold = Type.Object(
  {
    owner: StringEnum(HOLD_OWNERS, { description: 'The concern holding the target: runaway (the brake), breaker (fleet breaker open) or cost (hourlyCeiling).' }),
    target: Type.String({
      description: 'The target held, as asg/<name>, Deployment/<name>, StatefulSet/<name>, HorizontalPodAutoscaler/<name>, ScaledObject/<name>, ScaledJob/<name> or NodePool/<name>.',
      maxLength: 300,
    }),
    value: Type.Optional(count('The cap on MaxSize (ASG) or on the replica ceiling field (workloads).')),
    limits: Type.Optional(Resources('The cap on spec.limits (NodePools).')),
    atCurrent: Type.Optional(
      Type.Boolean({
        description:
          'A hold at current capacity (the brake\'s freeze, the fleet breaker): the actuator resolves it when it writes and never sets ' +
          'the field below what runs at that moment (a group\'s desired capacity, an autoscaler\'s or workload\'s running replicas, ' +
          'a NodePool\'s usage), so a freeze never terminates anything.',
      }),
    ),
    reason: Type.String({ description: 'Why the target is held, a human sentence.', maxLength: 1024 }),
    since: Time('When the hold began.'),
  },
  { description: 'A cap a concern contributes on one target; the actuator applies the lowest of the spec ceiling and every hold.' },
);
export type Hold = Static<typeof Hold>;

export const CostGuardStatus = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'The metadata.generation this status was computed from.', minimum: 0, format: 'int64' }),
    ),
    effectiveMode: Type.Optional(
      StringEnum(EFFECTIVE_MODES, {
        description:
          'What CostGuard does for this guard right now: Enforce, DryRun (reports only), or Paused ' +
          '(costguard.io/paused is "true": observes and reports, changes nothing, whatever spec.mode says).',
      }),
    ),
    conditions: Type.Optional(Conditions),
    scalingGroups: Type.Optional(
      ListMap(ScalingGroupStatus, ['name'], {
        description: 'One entry per Auto Scaling group acted on. A guard acts on at most 200 targets (groups, workloads and NodePools together); past that, CeilingsEnforced is False with reason TooManyTargets.',
        maxItems: 200,
      }),
    ),
    workloads: Type.Optional(ListMap(WorkloadStatus, ['kind', 'name'], { description: 'One entry per workload.', maxItems: 50 })),
    nodePools: Type.Optional(ListMap(NodePoolStatus, ['name'], { description: 'One entry per NodePool.', maxItems: 20 })),
    concurrency: Type.Optional(ConcurrencyStatus),
    cost: Type.Optional(CostStatus),
    runaway: Type.Optional(RunawayStatus),
    breaker: Type.Optional(BreakerStatus),
    brake: Type.Optional(BrakeStatus),
    holds: Type.Optional(
      ListMap(Hold, ['owner', 'target'], {
        description: 'Caps contributed by the brake, the fleet breaker and the hourly cost ceiling; each concern writes only its own.',
        maxItems: 600,
      }),
    ),
    lastReconcileTime: Type.Optional(Time('When the CostGuard was last reconciled.')),
  },
  { description: 'What CostGuard observed and did.' },
);
export type CostGuardStatus = Static<typeof CostGuardStatus>;
