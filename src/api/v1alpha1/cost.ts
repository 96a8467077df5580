// Dollars and alerts: the hourly ceiling on CostGuard's own estimate, the AWS Budget it keeps,
// spend-change anomalies, and where the alerts go.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { BUDGET_NOTIFICATION_TYPES, BUDGET_SUBSCRIBER_TYPES } from './constants.ts';
import { Duration, Percent, PositiveDecimal, SecretKeyRef } from './common.ts';
import { ListMap, MapOf, StringEnum } from './kit.ts';

export const BudgetNotification = Type.Object(
  {
    type: StringEnum(BUDGET_NOTIFICATION_TYPES, {
      description: 'ACTUAL compares spend so far this month; FORECASTED compares AWS\'s month-end forecast.',
    }),
    percent: Percent({
      description: 'Threshold as a percentage of monthlyLimit; may exceed 100 to warn about overspend.',
      minimum: 1,
      maximum: 1000,
    }),
  },
  { description: 'Alert when spend (actual or forecast) crosses this share of the monthly limit.' },
);

export const BudgetSubscriber = Type.Object(
  {
    type: StringEnum(BUDGET_SUBSCRIBER_TYPES, { description: 'EMAIL or SNS.' }),
    address: Type.String({ description: 'An e-mail address or an SNS topic ARN.', minLength: 1, maxLength: 2000 }),
  },
  { description: 'A subscriber of the AWS Budget\'s notifications.' },
);
export type BudgetSubscriber = Static<typeof BudgetSubscriber>;

export const BudgetSpec = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        description: 'Name of the AWS Budget. Defaults to costguard-<namespace>-<name>.',
        minLength: 1,
        maxLength: 100,
        pattern: '^[^:\\\\]+$',
      }),
    ),
    monthlyLimit: PositiveDecimal({ description: 'Monthly cost budget in USD, e.g. "5000".' }),
    notifications: Type.Optional(
      ListMap(BudgetNotification, ['type', 'percent'], {
        description: 'Thresholds at which CostGuard alerts; AWS allows at most 5 per budget.',
        maxItems: 5,
      }),
    ),
    subscribers: Type.Optional(
      Type.Array(BudgetSubscriber, {
        description:
          'Who AWS Budgets itself notifies at the thresholds. AWS needs at least one subscriber per ' +
          'notification, so without subscribers the budget carries no AWS notifications and only CostGuard alerts.',
        maxItems: 10,
      }),
    ),
    costFilters: Type.Optional(
      Type.Object(
        {
          tags: Type.Optional(
            MapOf(
              Type.Array(Type.String({ description: 'A tag value.', maxLength: 256 }), {
                description: 'Tag values that match.',
                minItems: 1,
                maxItems: 20,
              }),
              {
                description: 'Cost-allocation tags; spend matches when a tag has one of the listed values.',
                maxProperties: 10,
              },
            ),
          ),
        },
        { description: 'Restricts the budget to matching spend. Without filters it covers the whole account.' },
      ),
    ),
  },
  { description: 'An AWS Budget that CostGuard creates, keeps in line with this spec, and reads.' },
);
export type BudgetSpec = Static<typeof BudgetSpec>;

export const AnomalySpec = Type.Object(
  {
    spendChangePercent: Percent({
      description: 'Rise of the hourly estimate over its baseline, in percent, that counts as an anomaly.',
      minimum: 1,
      maximum: 1000,
      default: 50,
    }),
    baselineWindow: Duration({ description: 'Window over which the baseline hourly spend is averaged.', default: '7d', max: '90d' }),
  },
  { description: 'Spend-change anomaly detection on CostGuard\'s own estimate, cross-checked daily with Cost Explorer.' },
);

export const CostSpec = Type.Object(
  {
    hourlyCeiling: Type.Optional(
      PositiveDecimal({
        description:
          'USD per hour for the worst case at the ceilings (every target at its ceiling, each priced at the most expensive type it may launch), not the live estimate. Above it, Auto Scaling groups\' MaxSize is held lower (holds with owner cost) and an alert fires; NodePools count in the worst case but get no hold.',
      }),
    ),
    budget: Type.Optional(BudgetSpec),
    anomaly: Type.Optional(AnomalySpec),
  },
  { description: 'Cost ceilings, the AWS Budget, and spend-change anomaly detection.' },
);
export type CostSpec = Static<typeof CostSpec>;

export const SlackSpec = Type.Object(
  {
    webhookSecretRef: SecretKeyRef,
    channel: Type.Optional(
      Type.String({ description: 'Channel override, for webhooks that allow one (e.g. #payments-oncall).', maxLength: 80 }),
    ),
    mention: Type.Optional(
      Type.String({
        description: 'Prepended to FIRING messages, e.g. <!subteam^S123> or <!here>.',
        maxLength: 256,
      }),
    ),
  },
  { description: 'Slack incoming webhook. The URL is read from a Secret and never logged.' },
);

export const AlertsSpec = Type.Object(
  {
    slack: Type.Optional(SlackSpec),
    repeatInterval: Duration({
      description: 'How often an incident that is still firing is announced again.',
      default: '1h',
      max: '7d',
    }),
  },
  { description: 'Where alerts go. Kubernetes Events and Prometheus metrics are always emitted.' },
);
export type AlertsSpec = Static<typeof AlertsSpec>;
