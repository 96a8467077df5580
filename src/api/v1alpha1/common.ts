// Reusable field types. Each carries its bounds (maxLength, maxItems) because the API server
// estimates the worst-case cost of every CEL rule from them and rejects unbounded schemas.
import { Type } from '@sinclair/typebox';
import type { SchemaOptions, Static, TString } from '@sinclair/typebox';
import { CONDITION_STATUSES } from './constants.ts';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration.ts';
import { DocType, ListMap, StringEnum, withRules } from './kit.ts';

type Described = SchemaOptions & { description: string };

// --- durations ----------------------------------------------------------------------------
/** A day count standing alone: "7d", "1.5d". Days never mix with other units (CEL cannot add them up). */
const DAYS_ALONE = /^[0-9]+(\.[0-9]+)?d$/;

/**
 * A positive duration string ("30s", "15m", "7d"). The grammar, "not zero" and the upper bound
 * are all checked by the API server, so a typo such as "9000h" is refused at apply time instead
 * of reaching the operator. CEL's duration() follows Go and has no "d", so a day count stands
 * alone ("7d", "1.5d"); otherwise the units are h, m, s and ms ("36h").
 */
export function Duration(options: Described & { default?: string; max?: string }): TString {
  const { max = '30d', ...rest } = options;
  const maxMs = parseDuration(max);
  const maxDays = (maxMs / 86_400_000).toFixed(6);
  const base = Type.String({ ...rest, maxLength: 32, pattern: DURATION_PATTERN, [DocType]: 'duration' });
  return withRules(base, [
    {
      rule: "!self.matches('^(0+(\\\\.0+)?(ms|s|m|h|d))+$')",
      message: 'must be a positive duration',
      check: (self) => !/^(0+(\.0+)?(ms|s|m|h|d))+$/.test(self),
    },
    {
      rule: "!self.contains('d') || self.matches('^[0-9]+(\\\\.[0-9]+)?d$')",
      message: 'days stand alone (7d, 1.5d); otherwise use h, m, s and ms (36h)',
      check: (self) => !self.includes('d') || DAYS_ALONE.test(self),
    },
    {
      rule:
        `self.matches('^[0-9]+(\\\\.[0-9]+)?d$') ? double(self.replace('d', '')) <= ${maxDays} : ` +
        `(self.contains('d') || duration(self) <= duration('${maxMs / 1000}s'))`,
      message: `must be at most ${formatDuration(maxMs)}`,
      check: (self) => !(DAYS_ALONE.test(self) || !self.includes('d')) || parseDuration(self) <= maxMs,
    },
  ]);
}

// --- money ---------------------------------------------------------------------------------
/** Money is a decimal string, never a float: "12.00" must round-trip exactly. */
export const DECIMAL_PATTERN = '^[0-9]+(\\.[0-9]{1,4})?$';

export function Decimal(options: Described): TString {
  return Type.String({ ...options, maxLength: 16, pattern: DECIMAL_PATTERN, [DocType]: 'decimal' });
}

/** A decimal greater than zero, for limits where zero would mean "nothing may run". */
export function PositiveDecimal(options: Described): TString {
  return withRules(Decimal(options), [
    {
      rule: "!self.matches('^0+(\\\\.0+)?$')",
      message: 'must be greater than zero',
      check: (self) => !/^0+(\.0+)?$/.test(self),
    },
  ]);
}

// --- numbers --------------------------------------------------------------------------------
export function Percent(options: Described & { minimum?: number; maximum?: number; default?: number }) {
  return Type.Integer({ minimum: 0, maximum: 100, ...options, [DocType]: 'percent' });
}

/** A ceiling: at least 1, because a zero or negative ceiling is a typo, not a policy. */
export function Ceiling(options: Described & { maximum: number }) {
  return Type.Integer({ minimum: 1, ...options });
}

// --- names and references -------------------------------------------------------------------
/** DNS-1123 subdomain, the name format of Deployments, NodePools, Secrets and most objects. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export function ObjectName(options: Described) {
  return Type.String({ ...options, minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN });
}

export const SecretKeyRef = Type.Object(
  {
    name: ObjectName({ description: 'Name of the Secret, in the namespace of the CostGuard.' }),
    key: Type.String({
      description: 'Key within the Secret whose value is used.',
      minLength: 1,
      maxLength: 253,
      pattern: '^[-._a-zA-Z0-9]+$',
    }),
  },
  { description: 'A key of a Secret in the namespace of the CostGuard. Both name and key are required.' },
);
export type SecretKeyRef = Static<typeof SecretKeyRef>;

export function Url(options: Described & { pattern?: string }) {
  return Type.String({ pattern: '^https?://[^\\s]+$', ...options, minLength: 1, maxLength: 2048 });
}

// --- status building blocks -----------------------------------------------------------------
export function Time(description: string) {
  return Type.String({ description, format: 'date-time', maxLength: 64 });
}

/** metav1.Condition, field for field, so tools that understand conditions understand ours. */
export const Condition = Type.Object(
  {
    type: Type.String({
      description: 'Type of condition in CamelCase, e.g. Ready, CeilingReached, RunawaySuspected.',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: StringEnum(CONDITION_STATUSES, { description: 'Status of the condition: True, False or Unknown.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'metadata.generation of the CostGuard that this condition was computed from.',
        minimum: 0,
        format: 'int64',
      }),
    ),
    lastTransitionTime: Time('When the condition last changed status (not when it was last checked).'),
    reason: Type.String({
      description: 'Programmatic identifier for the last transition, in CamelCase.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({ description: 'Human-readable details of the last transition.', maxLength: 32768 }),
  },
  { description: 'One aspect of the current state of the CostGuard (metav1.Condition).' },
);
export type Condition = Static<typeof Condition>;

export const Conditions = ListMap(Condition, ['type'], {
  description:
    'Latest observations of the CostGuard state. Ready is the root condition; the others explain it.',
  maxItems: 32,
});

/** The last change CostGuard made (or, in DryRun, would have made) to one target. */
export const LastAction = Type.Object(
  {
    time: Time('When the action was taken.'),
    message: Type.String({
      description: 'What was done, e.g. "clamped MaxSize 40 → 20" or "would clamp maxReplicas 60 → 30 (DryRun)".',
      maxLength: 1024,
    }),
    reason: Type.Optional(
      Type.String({
        description: 'Why: AboveCeiling, Drift (raised again after a clamp), ScaleOutRateLimited, Unset, Unlimited or MinAboveCeiling.',
        maxLength: 64,
      }),
    ),
  },
  { description: 'The last change CostGuard made, or in DryRun would have made, to this target.' },
);
