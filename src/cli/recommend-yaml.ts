// The CostGuard `costguard recommend` prints: DryRun, one ceiling per group, and the evidence
// for each ceiling as comments above the manifest, so the file a reviewer applies carries its
// own justification. The spec is checked with validateSpec before it is printed: a proposal
// the API server would refuse is a bug here, never the user's problem.
import { stringify } from 'yaml';
import { validateSpec } from '../api/v1alpha1/index.ts';
import { formatMicros } from '../cloud/pricing/money.ts';
import type { Recommendation } from './recommend-math.ts';
import type { Price } from './recommend-price.ts';

export interface GroupProposal {
  readonly group: string;
  /** Where the history came from (file name), for the comment. */
  readonly source: string;
  readonly recommendation: Recommendation;
  readonly price: Price;
  /** The price the user gave, written to the spec so the operator's estimate agrees. */
  readonly pricePerHour?: string;
}

export interface ManifestOptions {
  readonly name: string;
  readonly namespace: string;
  readonly region?: string;
  /** The command's settings, for the header ("p99 × 1.2"). */
  readonly rule: string;
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function worstCase(p: GroupProposal): string {
  const ceiling = p.recommendation.ceiling;
  if (p.price.micros === undefined) return `worst case at the ceiling: unknown (${p.price.why})`;
  return `worst case at the ceiling: ${ceiling} × $${formatMicros(p.price.micros)}/h (${p.price.source}) = $${formatMicros(ceiling * p.price.micros)}/h`;
}

function why(r: Recommendation): string {
  const pct = `${fmt(r.percentileValue)} × headroom = ${r.fromPercentile}`;
  if (r.basis === 'percentile') return `percentile ${pct} (highest normal day: ${fmt(r.normalPeak)} on ${r.normalPeakDay})`;
  return `the highest normal day, ${fmt(r.normalPeak)} on ${r.normalPeakDay} (percentile ${pct} would have clamped it)`;
}

/** The evidence comment lines of one group. */
export function evidenceLines(p: GroupProposal): string[] {
  const r = p.recommendation;
  const unusual = r.days.filter((d) => !d.normal);
  const normalBinding = r.days.filter((d) => d.normal).reduce((sum, d) => sum + d.bindingMinutes, 0);
  return [
    `${p.group}: maxSize ${r.ceiling}, from ${r.days.length} days of ${fmt(r.stepSeconds)} s samples in ${p.source}`,
    `  basis: ${why(r)}`,
    `  ${worstCase(p)}`,
    `  minutes binding (desired above the ceiling) on normal days: ${fmt(normalBinding)}`,
    ...(unusual.length ? ['  left out of the distribution:', ...unusual.map((d) => `    ${d.day}: ${d.reason ?? 'unusual'}`)] : ['  no day left out of the distribution']),
    '  per day: peak desired, minutes binding',
    ...r.days.map((d) => `    ${d.day}  peak ${fmt(d.peak)}  binding ${fmt(d.bindingMinutes)} min${d.normal ? '' : '  (unusual)'}`),
  ];
}

/** The spec of the proposal. */
export function proposalSpec(proposals: readonly GroupProposal[], o: ManifestOptions): Record<string, unknown> {
  return {
    mode: 'DryRun',
    ...(o.region ? { aws: { region: o.region } } : {}),
    scalingGroups: proposals.map((p) => ({ name: p.group, maxSize: p.recommendation.ceiling, ...(p.pricePerHour !== undefined ? { pricePerHour: p.pricePerHour } : {}) })),
  };
}

/** The manifest text; throws Error when the spec would not validate (a bug in recommend). */
export function renderManifest(proposals: readonly GroupProposal[], o: ManifestOptions): string {
  const spec = proposalSpec(proposals, o);
  const issues = validateSpec(spec);
  if (issues.length) throw new Error(`recommend built an invalid CostGuard: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  const header = [
    'Proposed by costguard recommend. DryRun: CostGuard reports what it would clamp and changes',
    'nothing until you set mode: Enforce.',
    `Rule: ${o.rule}.`,
    '',
    ...proposals.flatMap((p) => [...evidenceLines(p), '']),
  ];
  const manifest = { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: o.name, namespace: o.namespace }, spec };
  return `${header.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n${stringify(manifest)}`;
}
