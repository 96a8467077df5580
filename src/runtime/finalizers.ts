// Finalizers are added and removed with a JSON merge patch that carries
// metadata.resourceVersion: the patch replaces the whole finalizer list, so the lock makes
// sure it is the list we read. A 409 means the object moved on; the controller requeues.
import { objectPath, type ResourceType } from './kube/resource.ts';
import { ContentType, type RestClient } from './kube/rest.ts';
import type { KubeObject } from './keys.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

async function writeFinalizers<T extends KubeObject>(rest: RestClient, resource: ResourceType, obj: T, finalizers: string[]): Promise<T> {
  const meta = obj.metadata ?? {};
  if (!meta.resourceVersion) throw new TypeError('finalizer update needs metadata.resourceVersion for the optimistic lock');
  const patch = { metadata: { resourceVersion: meta.resourceVersion, finalizers } };
  return rest.patch<T>(objectPath(resource, meta.namespace, meta.name ?? ''), patch, ContentType.mergePatch);
}

/** Adds the finalizer unless present (no request then). Returns the latest object. */
export async function ensureFinalizer<T extends KubeObject>(rest: RestClient, resource: ResourceType, obj: T, finalizer: string): Promise<T> {
  if (hasFinalizer(obj, finalizer)) return obj;
  return writeFinalizers(rest, resource, obj, [...(obj.metadata?.finalizers ?? []), finalizer]);
}

/** Removes the finalizer if present (no request otherwise). Returns the latest object. */
export async function removeFinalizer<T extends KubeObject>(rest: RestClient, resource: ResourceType, obj: T, finalizer: string): Promise<T> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  const remaining = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  return writeFinalizers(rest, resource, obj, remaining);
}
