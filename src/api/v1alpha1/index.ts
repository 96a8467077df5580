// costguard.io/v1alpha1: the CostGuard API. Types, schema, validation and the CRD all come from
// the TypeBox schema in this folder; crds/ and docs/crd-reference.md are generated from it.
export * from './constants.ts';
export { DURATION_PATTERN, formatDuration, isDuration, parseDuration } from './duration.ts';
export { Condition, DECIMAL_PATTERN, DNS_SUBDOMAIN_PATTERN, SecretKeyRef } from './common.ts';
export { QUANTITY_PATTERN } from './kit.ts';
export {
  ConcurrencySpec,
  MAX_SCALING_GROUPS,
  NodePoolSpec,
  ScalingGroupSpec,
  WorkloadSpec,
} from './targets.ts';
export { BreakerSpec, RunawaySpec, SQS_QUEUE_URL_PATTERN } from './runaway.ts';
export { AlertsSpec, BudgetSpec, BudgetSubscriber, CostSpec } from './cost.ts';
export { AWS_REGION_PATTERN, AwsSpec, CostGuardSpec, IAM_ROLE_ARN_PATTERN } from './spec.ts';
export {
  BrakeStatus,
  BreakerStatus,
  ConcurrencyStatus,
  CostGuardStatus,
  CostExplorerCheck,
  CostStatus,
  Hold,
  NodePoolStatus,
  RunawayStatus,
  SavedValue,
  SpendBaseline,
  ScalingGroupStatus,
  WorkloadStatus,
} from './status.ts';
export { CostGuardSchema } from './resource.ts';
export type { CostGuard, CostGuardList } from './resource.ts';
export { buildCrd, PRINTER_COLUMNS } from './crd.ts';
export type { PrinterColumn } from './crd.ts';
export { validateAgainst, validateSpec, withDefaults } from './validate.ts';
export type { ValidationIssue } from './validate.ts';
