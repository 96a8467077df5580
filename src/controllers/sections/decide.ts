// Pure: the condition of every optional spec section that no controller of this build acts
// on. A section the user wrote must never be silently ignored: until its controller exists it
// is reported False (NotImplemented), which keeps Ready False, and the condition disappears
// when the section is removed from the spec.
import { ConditionType, type CostGuardSpec } from '../../api/v1alpha1/index.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';

export type Section = 'concurrency' | 'runaway' | 'cost' | 'alerts';

interface SectionInfo {
  condition: string;
  /** The spec fields that make up the section, as users write them. */
  fields: (spec: CostGuardSpec) => string[];
  /** What the user does not get, in a few words. */
  missing: string;
}

export const SECTIONS: Readonly<Record<Section, SectionInfo>> = {
  concurrency: {
    condition: ConditionType.ConcurrencyPublished,
    fields: (spec) => [...(spec.concurrency ? ['spec.concurrency'] : []), ...(spec.breaker ? ['spec.breaker'] : [])],
    missing: 'no per-replica limit or breaker settings are published to the workers',
  },
  runaway: {
    condition: ConditionType.RunawayWatched,
    fields: (spec) => (spec.runaway ? ['spec.runaway'] : []),
    missing: 'no signal is watched and the brake never engages',
  },
  cost: {
    condition: ConditionType.CostTracked,
    fields: (spec) => (spec.cost ? ['spec.cost'] : []),
    missing: 'no cost is estimated, no hourly ceiling is held and no budget is created',
  },
  alerts: {
    condition: ConditionType.AlertsReady,
    fields: (spec) => (spec.alerts ? ['spec.alerts'] : []),
    missing: 'no Slack message is sent; Kubernetes Events are still emitted',
  },
};

export const ALL_SECTIONS = Object.keys(SECTIONS) as Section[];

export function notImplementedMessage(fields: readonly string[], missing: string): string {
  const what = fields.join(' and ');
  return `CostGuard accepts ${what} but does not act on ${fields.length > 1 ? 'them' : 'it'} in this version: ${missing}.`;
}

export interface SectionConditions {
  set: ConditionInput[];
  /** Condition types to remove: their section is not in the spec. */
  remove: string[];
}

/** Conditions for the sections not handled by a controller of this build. */
export function unhandledSectionConditions(spec: CostGuardSpec, handled: ReadonlySet<Section>): SectionConditions {
  const out: SectionConditions = { set: [], remove: [] };
  for (const section of ALL_SECTIONS.filter((s) => !handled.has(s))) {
    const info = SECTIONS[section];
    const fields = info.fields(spec);
    if (!fields.length) {
      out.remove.push(info.condition);
      continue;
    }
    out.set.push({ type: info.condition, status: 'False', reason: 'NotImplemented', message: notImplementedMessage(fields, info.missing) });
  }
  return out;
}
