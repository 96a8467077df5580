// Names that the operator, the chart, kubectl users and the tests must all agree on. They live
// beside the schema so a rename is one edit that regenerates the CRD.

export const GROUP = 'costguard.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
export const KIND = 'CostGuard';
export const LIST_KIND = 'CostGuardList';
export const PLURAL = 'costguards';
export const SINGULAR = 'costguard';
export const SHORT_NAMES: readonly string[] = ['cg'];
export const CATEGORIES: readonly string[] = ['costguard'];
export const CRD_NAME = `${PLURAL}.${GROUP}` as const;

/**
 * `costguard.io/paused: "true"` (exactly) stops every action on this CostGuard; observation goes
 * on. Any other value does not pause and is reported (Degraded InvalidPause).
 */
export const PAUSED_ANNOTATION = 'costguard.io/paused';
/** Held until the chosen onDelete policy (Keep or Restore) has been carried out. */
export const FINALIZER = 'costguard.io/finalizer';

/** Condition types. `Ready` is the root, derived from the others. */
export const ConditionType = {
  Ready: 'Ready',
  CeilingsEnforced: 'CeilingsEnforced',
  CeilingReached: 'CeilingReached',
  RunawaySuspected: 'RunawaySuspected',
  BrakeEngaged: 'BrakeEngaged',
  BreakerOpen: 'BreakerOpen',
  BudgetAtRisk: 'BudgetAtRisk',
  CostAnomaly: 'CostAnomaly',
  Degraded: 'Degraded',
  // One condition per optional spec section, saying whether that section is active and why not.
  ConcurrencyPublished: 'ConcurrencyPublished',
  RunawayWatched: 'RunawayWatched',
  CostTracked: 'CostTracked',
  AlertsReady: 'AlertsReady',
} as const;
export type ConditionTypeName = (typeof ConditionType)[keyof typeof ConditionType];

export const CONDITION_TYPES: readonly ConditionTypeName[] = Object.values(ConditionType);

/** The values of enum fields, shared by the schema, the docs and the controllers. */
export const MODES = ['DryRun', 'Enforce'] as const;
/** What a guard does right now: spec.mode, or Paused while costguard.io/paused is "true". */
export const EFFECTIVE_MODES = ['Enforce', 'DryRun', 'Paused'] as const;
export const ON_DELETE_POLICIES = ['Keep', 'Restore'] as const;
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'HorizontalPodAutoscaler', 'ScaledObject', 'ScaledJob'] as const;
export const CONCURRENCY_WORKLOAD_KINDS = ['Deployment', 'StatefulSet'] as const;
export const RUNAWAY_ACTIONS = ['Alert', 'Freeze', 'Shed'] as const;
export const BUDGET_NOTIFICATION_TYPES = ['ACTUAL', 'FORECASTED'] as const;
export const BUDGET_SUBSCRIBER_TYPES = ['EMAIL', 'SNS'] as const;
/** Held until CostGuard has deleted the AWS Budget it created for the guard. */
export const BUDGET_FINALIZER = 'costguard.io/budget';
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export const RUNAWAY_STATES = ['Normal', 'Suspected', 'Braking', 'Recovering'] as const;
export const BREAKER_STATES = ['Closed', 'Open', 'HalfOpen', 'Unknown'] as const;
export const BRAKE_ACTIONS = ['Freeze', 'Shed'] as const;
/** The concerns that may hold a target below its spec ceiling (see status.holds). */
export const HOLD_OWNERS = ['runaway', 'breaker', 'cost'] as const;
