// Turns a TypeBox schema into the plain OpenAPI v3 the API server stores. TypeBox keeps its
// bookkeeping under symbol keys, which JSON drops; what remains is tidied into a structural
// schema with a stable key order, so regenerating never produces a diff on its own.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A deep copy as plain JSON: symbols, undefined and functions are gone. */
export function plainJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema as the CRD carries it: plain, tidied and with sorted keys. */
export function toOpenApi(schema: unknown): JsonObject {
  const out = sortKeys(tidy(plainJson(schema)));
  if (!isJsonObject(out)) throw new TypeError('schema root must be an object');
  return out;
}

/** Keys sorted at every depth (array order is meaningful and kept), like controller-gen. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  const keys = Object.keys(value).sort();
  return Object.fromEntries(keys.map((k) => [k, sortKeys(value[k] ?? null)]));
}

function tidy(value: Json): Json {
  if (Array.isArray(value)) return value.map(tidy);
  if (!isJsonObject(value)) return value;
  const node = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v)]));
  return tidyNode(node);
}

function tidyNode(node: JsonObject): JsonObject {
  const props = node.properties;
  // Kubernetes forbids properties next to additionalProperties; an empty one says nothing anyway.
  if (isJsonObject(props) && Object.keys(props).length === 0) delete node.properties;
  // A defaulted field is filled in before validation, so it is not required of the user.
  if (Array.isArray(node.required) && isJsonObject(props)) {
    const required = node.required.filter((k) => typeof k === 'string' && !hasDefault(props[k]));
    if (required.length > 0) node.required = required;
    else delete node.required;
  }
  return node;
}

function hasDefault(schema: Json | undefined): boolean {
  return isJsonObject(schema) && 'default' in schema;
}
