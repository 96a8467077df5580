// Pure: which of validateSpec's issues stop the ceilings. An invalid optional section (runaway,
// cost, alerts, concurrency, breaker) disables that section only — its own controller reports
// it on its condition — and never the ceilings: a typo in runaway.window must not remove the
// caps on the groups the same guard names.
import type { ValidationIssue } from '../../api/v1alpha1/validate.ts';

export const OPTIONAL_SECTIONS = ['runaway', 'cost', 'alerts', 'concurrency', 'breaker'] as const;
export type OptionalSection = (typeof OPTIONAL_SECTIONS)[number];

/** The optional section an issue's path lies in ("spec.runaway.window" → "runaway"), if any. */
export function sectionOf(path: string): OptionalSection | undefined {
  return OPTIONAL_SECTIONS.find((s) => path === `spec.${s}` || path.startsWith(`spec.${s}.`) || path.startsWith(`spec.${s}[`));
}

/** The issues that concern the ceilings themselves (targets, mode, onDelete, aws, the spec as a whole). */
export function ceilingIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => sectionOf(i.path) === undefined);
}
