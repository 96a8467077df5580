// spec: what the user asks CostGuard to guard, and how hard to push.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { MODES, ON_DELETE_POLICIES } from './constants.ts';
import { AlertsSpec, CostSpec } from './cost.ts';
import { StringEnum, withRules } from './kit.ts';
import { BreakerSpec, RunawaySpec } from './runaway.ts';
import { ConcurrencySpec, NodePools, ScalingGroups, Workloads } from './targets.ts';

export const AWS_REGION_PATTERN = '^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$';
export const IAM_ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$';

export const AwsSpec = Type.Object(
  {
    region: Type.String({ description: 'AWS region of the targets, e.g. us-east-1.', maxLength: 32, pattern: AWS_REGION_PATTERN }),
    roleArn: Type.Optional(
      Type.String({
        description:
          'IAM role CostGuard assumes for this CostGuard\'s calls. Without it the operator\'s own ' +
          'identity (e.g. IRSA) is used.',
        maxLength: 2048,
        pattern: IAM_ROLE_ARN_PATTERN,
      }),
    ),
  },
  { description: 'AWS account access. Defaults to the operator\'s region and identity (Helm values aws.*).' },
);

const SpecBase = Type.Object(
  {
    mode: StringEnum(MODES, {
      description:
        'DryRun reports every action CostGuard would take (status, Events, alerts) and changes nothing; ' +
        'Enforce takes them.',
      default: 'DryRun',
    }),
    onDelete: StringEnum(ON_DELETE_POLICIES, {
      description:
        'What happens to clamped targets when this CostGuard is deleted: Keep the current values, or ' +
        'Restore the originals recorded in status.',
      default: 'Keep',
    }),
    aws: Type.Optional(AwsSpec),
    scalingGroups: Type.Optional(ScalingGroups),
    nodePools: Type.Optional(NodePools),
    workloads: Type.Optional(Workloads),
    concurrency: Type.Optional(ConcurrencySpec),
    breaker: Type.Optional(BreakerSpec),
    runaway: Type.Optional(RunawaySpec),
    cost: Type.Optional(CostSpec),
    alerts: Type.Optional(AlertsSpec),
  },
  { description: 'What CostGuard guards and how: ceilings, fleet concurrency, breakers, runaway brake, cost and alerts.' },
);

export const CostGuardSpec = withRules(SpecBase, [
  {
    rule: 'has(self.scalingGroups) || has(self.nodePools) || has(self.workloads) || has(self.concurrency)',
    message: 'at least one target is required: scalingGroups, nodePools, workloads or concurrency',
    check: (self) =>
      [self.scalingGroups, self.nodePools, self.workloads, self.concurrency].some((t) => t !== undefined),
  },
  {
    // Shed scales consumers down; without a workload there is nothing it could scale.
    rule: "!has(self.runaway) || self.runaway.action != 'Shed' || has(self.workloads) || has(self.concurrency)",
    message: 'runaway.action Shed needs workloads or concurrency to know which consumers to scale down',
    fieldPath: '.runaway.action',
    check: (self) => self.runaway?.action !== 'Shed' || self.workloads !== undefined || self.concurrency !== undefined,
  },
]);
export type CostGuardSpec = Static<typeof CostGuardSpec>;
