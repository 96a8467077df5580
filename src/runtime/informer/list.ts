// Listing helpers for the reflector: paginated lists (a large cluster's Deployments should
// not arrive as one giant response) and normalisation of every object entering the cache.
import { apiVersionOf, type ResourceType } from '../kube/resource.ts';
import { stripManagedFields } from './store.ts';
import type { KubeObject } from '../keys.ts';
import type { KubeList } from '../kube/rest.ts';
import type { ListFn } from './types.ts';

/**
 * Follows `continue` tokens; the result carries the resourceVersion of the last page. `each`
 * runs on every item as its page arrives: normalising there drops managedFields page by page,
 * so they are never all alive at once (with 5,000 Deployments they were most of the peak heap
 * of a sync, and V8 keeps a heap it has grown).
 */
export async function listAllPages<T>(list: ListFn, path: string, pageSize: number, each: (item: T) => T = (item) => item): Promise<KubeList<T>> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = (await list(path, { limit: pageSize, continue: cont })) as KubeList<T>;
    for (const item of page.items ?? []) items.push(each(item));
    resourceVersion = page.metadata?.resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { metadata: { resourceVersion }, items };
}

/**
 * Drops managedFields (memory) and fills apiVersion/kind, which list items of built-in
 * types lack, so cached objects are self-describing (events, object references).
 */
export function normalize<T extends KubeObject>(obj: T, resource: ResourceType): T {
  stripManagedFields(obj);
  obj.apiVersion ??= apiVersionOf(resource);
  obj.kind ??= resource.kind;
  return obj;
}
