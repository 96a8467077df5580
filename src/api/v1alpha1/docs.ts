// docs/crd-reference.md, rendered from the same schema as the CRD: one row per field with its
// type, default, constraints and description, then every validation rule and where it runs.
import type { TSchema } from '@sinclair/typebox';
import { API_VERSION, CONDITION_TYPES, FINALIZER, KIND, PAUSED_ANNOTATION, PLURAL, SHORT_NAMES } from './constants.ts';
import { PRINTER_COLUMNS } from './crd.ts';
import { DocType, rulesOf } from './kit.ts';
import { CostGuardSpec } from './spec.ts';
import { CostGuardStatus } from './status.ts';

type Node = TSchema & {
  [DocType]?: string;
  type?: string;
  description?: string;
  default?: unknown;
  enum?: string[];
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  required?: string[];
  'x-kubernetes-list-map-keys'?: string[];
};

interface Row {
  path: string;
  node: Node;
  required: boolean;
}

/** Every field below `node`, depth first in declaration order; array items share the array's row. */
function* fields(node: Node, path: string, required: boolean): Generator<Row> {
  yield { path, node, required };
  const inner = node.items ?? node;
  const prefix = node.items ? `${path}[]` : path;
  for (const [key, child] of Object.entries(inner.properties ?? {})) {
    const isRequired = (inner.required ?? []).includes(key) && child.default === undefined;
    yield* fields(child, `${prefix}.${key}`, isRequired);
  }
  const extra = inner.additionalProperties;
  if (typeof extra === 'object' && (extra.properties ?? extra.items) !== undefined) {
    yield* fields(extra, `${prefix}.<key>`, false);
  }
}

function typeLabel(node: Node): string {
  if (node[DocType] !== undefined) return node[DocType];
  if (node.enum !== undefined) return 'enum';
  if (node.items !== undefined) return `[]${typeLabel(node.items)}`;
  const extra = node.additionalProperties;
  if (typeof extra === 'object') return `map[string]${typeLabel(extra)}`;
  return node.type ?? 'any';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text}\``;

function range(node: Record<string, unknown>, min: string, max: string, unit: string): string[] {
  const lo = node[min] as number | undefined;
  const hi = node[max] as number | undefined;
  if (lo === undefined && hi === undefined) return [];
  if (lo === undefined) return [`${unit} ≤ ${hi}`];
  if (hi === undefined) return [`${unit} ≥ ${lo}`];
  return [`${unit} ${lo}–${hi}`];
}

function constraints(node: Node): string[] {
  const n = node as Record<string, unknown>;
  const out = [
    ...(node.enum ? [`one of ${node.enum.map(code).join(', ')}`] : []),
    ...range(n, 'minimum', 'maximum', 'value'),
    ...range(n, 'minLength', 'maxLength', 'length'),
    ...range(n, 'minItems', 'maxItems', 'items'),
    ...range(n, 'minProperties', 'maxProperties', 'entries'),
    ...(typeof n.pattern === 'string' ? [`pattern ${code(n.pattern)}`] : []),
    ...(node['x-kubernetes-list-map-keys'] ? [`unique by ${node['x-kubernetes-list-map-keys'].join('+')}`] : []),
  ];
  const ruleNode = node.items ?? node;
  const each = node.items ? 'each item: ' : '';
  return [...out, ...rulesOf(ruleNode).map((r) => `${each}${r.message}`)];
}

function tableRow(row: Row): string {
  const { node } = row;
  const dflt = node.default === undefined ? '' : code(JSON.stringify(node.default));
  const cells = [
    code(row.path),
    cell(typeLabel(node)),
    row.required ? 'yes' : '',
    cell(dflt),
    cell(constraints(node).join('; ')),
    cell(node.description ?? ''),
  ];
  return `| ${cells.join(' | ')} |`;
}

function fieldTable(root: Node, path: string): string[] {
  const rows = [...fields(root, path, true)].slice(1);
  return [
    '| Field | Type | Required | Default | Constraints | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(tableRow),
  ];
}

function ruleTable(root: Node, path: string): string[] {
  const lines = ['| Field | Checked by | Rule | Message |', '| --- | --- | --- | --- |'];
  for (const { path: at, node } of fields(root, path, true)) {
    const target = node.items ?? node;
    const where = node.items ? `${at}[]` : at;
    for (const r of rulesOf(target)) {
      const by = r.rule === undefined ? 'operator (validateSpec)' : 'API server (CEL) and validateSpec';
      const field = where + (r.fieldPath ?? '');
      lines.push(`| ${code(field)} | ${by} | ${cell(r.rule === undefined ? '' : code(r.rule))} | ${cell(r.message)} |`);
    }
  }
  return lines;
}

function intro(): string[] {
  return [
    '<!-- generated from src/api/v1alpha1 by make generate; do not edit -->',
    `# CostGuard API reference (\`${API_VERSION}\`)`,
    '',
    `\`${KIND}\` is namespaced (plural \`${PLURAL}\`, short name \`${SHORT_NAMES.join(', ')}\`). ` +
      'Every field below is also described by `kubectl explain costguard.spec`.',
    '',
    `- Pause all actions (observation goes on): annotation \`${PAUSED_ANNOTATION}: "true"\`.`,
    `- Finalizer \`${FINALIZER}\` carries out \`spec.onDelete\` before the object goes away.`,
    `- Condition types: ${CONDITION_TYPES.map(code).join(', ')}; \`Ready\` is the root.`,
    '- Durations are strings such as `30s`, `15m`, `1h30m`, `7d`; money is a decimal string in USD.',
    '- A field with a default is filled in by the API server and never required.',
    '',
    '## kubectl get columns',
    '',
    '| Column | JSONPath | Meaning |',
    '| --- | --- | --- |',
    ...PRINTER_COLUMNS.map((c) => `| ${cell(c.name)} | ${code(cell(c.jsonPath))} | ${cell(c.description)} |`),
  ];
}

/** Choices a reader of the schema would otherwise have to reverse-engineer. */
function designNotes(): string[] {
  return [
    '## Design notes',
    '',
    '- **Ceilings start at 1.** A zero or negative `maxSize`, `maxReplicas`, `instances` or NodePool limit is ' +
      'rejected: it is far more often a typo than a wish to stop everything, and DryRun exists for audits.',
    '- **`tagSelector` must not be empty**, because an empty selector would match every group in the account.',
    '- **Money is a decimal string** (`"12.00"`, up to 4 decimals), never a float, so values round-trip exactly; ' +
      'limits must be greater than zero, a per-target `pricePerHour` may be `"0"` (already paid for).',
    '- **Durations are strings** with units `ms`, `s`, `m`, `h`, `d` because Go and CEL durations have no days. ' +
      'The API server checks the grammar, that the value is not zero, and its upper bound, so a typo such as ' +
      '`9000h` is refused at apply time. For CEL to bound it, a day count stands alone (`7d`, `1.5d`); ' +
      'otherwise use `h`, `m`, `s` and `ms` (`36h`, not `1d12h`).',
    '- **List-maps.** `workloads` (by kind+name), `nodePools` (by name) and the status lists are list-maps, so ' +
      'server-side apply merges entries and a duplicate is refused (`duplicate entries for key [...]`). ' +
      '`scalingGroups` cannot be one, since an entry may have no name; a CEL rule keeps named entries unique.',
    '- **SQS queue URLs** must end in `/<12-digit account>/<queue>` but may use any host, so AWS-compatible ' +
      'endpoints (moto, LocalStack, VPC endpoints) work.',
    '- **Status is typed throughout** (no preserve-unknown-fields) and bounded, so a controller bug that writes ' +
      'garbage is refused by the API server instead of stored.',
    '- **Defaults** are applied by the API server (and by `withDefaults` in TypeScript); a defaulted field is ' +
      'never listed as required, and `breaker`, `runaway` and `alerts` get their defaults only when present.',
  ];
}

/** The whole reference page; deterministic, ends with a newline. */
export function renderReference(): string {
  const spec = CostGuardSpec as Node;
  const status = CostGuardStatus as Node;
  const lines = [
    ...intro(),
    '',
    '## spec',
    '',
    cell(spec.description ?? ''),
    '',
    ...fieldTable(spec, 'spec'),
    '',
    '## status',
    '',
    cell(status.description ?? ''),
    '',
    ...fieldTable(status, 'status'),
    '',
    '## Validation rules',
    '',
    'Besides types, bounds, patterns and enums, these rules apply. Rules the API server runs reject the ' +
      'object at apply time; `validateSpec` (src/api/v1alpha1/validate.ts) runs the same checks in the ' +
      'operator. A rule marked "operator" would need arithmetic CEL cannot do; the API server accepts such a ' +
      'spec, and the operator disables only the section it belongs to, never the ceilings.',
    '',
    ...ruleTable(spec, 'spec'),
    '',
    ...designNotes(),
  ];
  return `${lines.join('\n')}\n`;
}
