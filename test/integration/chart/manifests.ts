// Pure helpers for the chart tests: parse `helm template` output, normalize RBAC rules into
// comparable grants, and read the RBAC tables of docs/operations.md. No I/O here.
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** One row of an RBAC table: a resource (with its group and optional names) and its verbs. */
export interface Grant {
  apiGroup: string;
  resource: string;
  resourceNames: string[];
  verbs: string[];
}

/** Parses a multi-document YAML stream (helm template output); empty documents are skipped. */
export function parseManifests(text: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML in rendered output: ${doc.errors[0]?.message ?? ''}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`rendered document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    out.push(value);
  }
  return out;
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const meta = v.metadata as Record<string, unknown> | undefined;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof meta?.name === 'string';
}

/** The one object of this kind (and name, when given); throws when there is none or several. */
export function findOne(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as Manifest;
}

/** Kinds in rendering order, one entry per object. */
export function kinds(manifests: Manifest[]): string[] {
  return manifests.map((m) => m.kind);
}

/**
 * Expands rules into one grant per (group, resource, names), merging verbs of rules that name
 * the same thing, sorted, so two rule lists that grant the same compare equal however written.
 */
export function normalizeRules(rules: PolicyRule[]): Grant[] {
  const byKey = new Map<string, Grant>();
  for (const rule of rules) {
    for (const apiGroup of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        const resourceNames = [...(rule.resourceNames ?? [])].sort();
        const key = `${apiGroup}|${resource}|${resourceNames.join(',')}`;
        const grant = byKey.get(key) ?? { apiGroup, resource, resourceNames, verbs: [] };
        grant.verbs = [...new Set([...grant.verbs, ...rule.verbs])].sort();
        byKey.set(key, grant);
      }
    }
  }
  return [...byKey.values()].sort((a, b) => grantKey(a).localeCompare(grantKey(b)));
}

export function grantKey(g: Grant): string {
  const names = g.resourceNames.length > 0 ? `[${g.resourceNames.join(',')}]` : '';
  return `${g.apiGroup === '' ? 'core' : g.apiGroup}/${g.resource}${names}`;
}

/** A grant list as `group/resource: verb,verb` lines: readable in an assertion diff. */
export function describeGrants(grants: Grant[]): string[] {
  return grants.map((g) => `${grantKey(g)}: ${g.verbs.join(',')}`);
}

/** The cells of each body row of the first Markdown table after `heading`, backticks removed. */
export function markdownTable(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`heading "${heading}" not found`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(splitRow(line));
  }
  if (rows.length < 2) throw new Error(`no table under heading "${heading}"`);
  return rows.slice(2);
}

function splitRow(line: string): string[] {
  // Escaped pipes (\|) stay inside a cell.
  const cells = line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/);
  return cells.map((c) => c.trim().replace(/\\\|/g, '|'));
}

function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1] ?? '');
}

/**
 * Reads an RBAC table whose first three columns are the API group, the resources and the verbs,
 * each as code spans (`""` is the core group); later columns (why) are prose. Returns
 * normalized grants, without resourceNames: a table names resources, not objects.
 */
export function rbacTable(markdown: string, heading: string): Grant[] {
  const rules: PolicyRule[] = markdownTable(markdown, heading).map((cells) => {
    const [group = '', resources = '', verbs = ''] = cells;
    const apiGroup = codeSpans(group)[0] ?? '';
    return { apiGroups: [apiGroup === '""' ? '' : apiGroup], resources: codeSpans(resources), verbs: codeSpans(verbs) };
  });
  return normalizeRules(rules);
}

/** The same grants with resourceNames dropped (and merged), to compare with a table. */
export function withoutResourceNames(grants: Grant[]): Grant[] {
  return normalizeRules(grants.map((g) => ({ apiGroups: [g.apiGroup], resources: [g.resource], verbs: g.verbs })));
}
