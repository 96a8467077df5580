// Pure helpers that read the chart's values.schema.json as a list of documented keys: the
// leaves of its `properties` tree, each with the type a reader sees in docs/helm-values.md.

export interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

export interface ValueKey {
  /** Dotted path, e.g. serviceAccount.annotations. */
  key: string;
  /** Type as written in the reference: string, integer, array of string, integer or string, … */
  type: string;
}

/** Follows a local `#/definitions/x` reference; other nodes are returned as they are. */
export function resolve(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const target = root.definitions?.[name];
  if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
  return { ...resolve(root, target), ...withoutRef(node) };
}

function withoutRef(node: SchemaNode): SchemaNode {
  const copy = { ...node };
  delete copy.$ref;
  return copy;
}

export function typeName(root: SchemaNode, node: SchemaNode): string {
  const n = resolve(root, node);
  if (n.anyOf) return n.anyOf.map((alt) => typeName(root, alt)).join(' or ');
  const type = Array.isArray(n.type) ? n.type.join(' or ') : (n.type ?? 'any');
  if (type === 'array' && n.items) return `array of ${typeName(root, n.items)}`;
  return type;
}

/** Every leaf key of the schema (a property without sub-properties), in schema order. */
export function schemaKeys(root: SchemaNode, skip: readonly string[] = ['global']): ValueKey[] {
  const out: ValueKey[] = [];
  const walk = (node: SchemaNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (skip.includes(key)) continue;
      const resolved = resolve(root, child);
      if (resolved.properties) walk(resolved, key);
      else out.push({ key, type: typeName(root, child) });
    }
  };
  walk(root, '');
  return out;
}

/** The value at a dotted path, or undefined when a segment is missing. */
export function valueAt(values: unknown, key: string): unknown {
  let cur: unknown = values;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every leaf path of a values tree: objects are walked, arrays and scalars are leaves. */
export function valueKeys(values: unknown, prefix = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return prefix === '' ? [] : [prefix];
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) return prefix === '' ? [] : [prefix];
  return entries.flatMap(([k, v]) => valueKeys(v, prefix === '' ? k : `${prefix}.${k}`));
}

/** How a default is written in the reference: compact JSON in a code span. */
export function defaultCell(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

/** Rows of the reference tables: every table line whose first cell is a code span. */
export function referenceRows(markdown: string): { key: string; type: string; default: string; description: string }[] {
  return markdown
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .map((line) => {
      const [key = '', type = '', def = '', description = ''] = line.replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
      return { key: key.replace(/`/g, ''), type, default: def, description };
    });
}
