// Status is written the same way everywhere: the controller computes the whole desired
// status, and this writer patches /status once, only if it differs from what the object has,
// with metadata.resourceVersion in the patch as an optimistic lock. A 409 means someone
// wrote first: the error propagates and the controller requeues without logging an error.
import { deepEqual, isPlainObject, mergePatchDiff } from './equality.ts';
import { objectPath, type ResourceType } from './kube/resource.ts';
import { ContentType, type RestClient } from './kube/rest.ts';
import type { KubeObject } from './keys.ts';

export interface StatusWriteResult<T> {
  /** False when the status was already up to date and nothing was sent. */
  written: boolean;
  /** The object as the API server returned it (or `current` when nothing was written). */
  object: T;
}

export interface StatusWriter {
  /**
   * Makes `current.status` equal `status` through the /status subresource. Throws a 409
   * KubeApiError when `current` is stale (see isConflict).
   */
  update<T extends KubeObject & { status?: unknown }>(resource: ResourceType, current: T, status: T['status']): Promise<StatusWriteResult<T>>;
}

function asRecord(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** The merge patch for a status change, or undefined when nothing changed. */
export function statusPatch(current: KubeObject & { status?: unknown }, status: unknown): Record<string, unknown> | undefined {
  if (deepEqual(current.status ?? {}, status ?? {})) return undefined;
  const resourceVersion = current.metadata?.resourceVersion;
  if (!resourceVersion) throw new TypeError('status update needs metadata.resourceVersion for the optimistic lock');
  return { metadata: { resourceVersion }, status: mergePatchDiff(asRecord(current.status), asRecord(status)) };
}

export class KubeStatusWriter implements StatusWriter {
  private readonly rest: RestClient;

  constructor(rest: RestClient) {
    this.rest = rest;
  }

  async update<T extends KubeObject & { status?: unknown }>(resource: ResourceType, current: T, status: T['status']): Promise<StatusWriteResult<T>> {
    const patch = statusPatch(current, status);
    if (!patch) return { written: false, object: current };
    const path = objectPath(resource, current.metadata?.namespace, current.metadata?.name ?? '', 'status');
    const object = await this.rest.patch<T>(path, patch, ContentType.mergePatch, protective(patch) ? { priority: 'high' } : {});
    return { written: true, object };
  }
}

/**
 * Status fields that protect: a concern's caps (`holds`) and the brake (`brake`) are what the
 * actuator acts on, so a status write that changes them goes ahead of cosmetic status and
 * events in the client-side limiter, like the target writes themselves.
 */
export const PROTECTIVE_STATUS_FIELDS: readonly string[] = ['holds', 'brake'];

export function protective(patch: Record<string, unknown>): boolean {
  const status = asRecord(patch.status);
  return PROTECTIVE_STATUS_FIELDS.some((f) => f in status);
}
