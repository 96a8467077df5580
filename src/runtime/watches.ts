// From informer events to work queue keys. Watches only ever enqueue "namespace/name"; the
// reconciler reads the latest state itself (level-triggered).
//
// The primary resource's handler drops updates that only touched status or resourceVersion:
// our own status writes would otherwise reconcile the same generation again, forever.
import { deepEqual } from './equality.ts';
import { objectKey, type KubeObject } from './keys.ts';
import type { EventHandler } from './informer/informer.ts';

/** Decides whether an update is worth a reconcile. */
export type UpdatePredicate<T extends KubeObject = KubeObject> = (old: T, obj: T) => boolean;

/** Maps an object of a watched resource to the keys of the primary objects it affects. */
export type MapFn<T extends KubeObject = KubeObject> = (obj: T) => readonly string[];

/** Metadata a controller acts on, normalised so absent and empty compare equal. */
function actionableMetadata(obj: KubeObject): unknown[] {
  const m = obj.metadata ?? {};
  return [m.generation, m.deletionTimestamp ?? null, m.labels ?? {}, m.annotations ?? {}, m.finalizers ?? []];
}

/**
 * controller-runtime's GenerationChangedPredicate, widened to the metadata a controller
 * acts on: labels, annotations (costguard.io/paused), finalizers and deletionTimestamp.
 * Status-only writes change none of these.
 */
export const specOrMetadataChanged: UpdatePredicate = (old, obj) => !deepEqual(actionableMetadata(old), actionableMetadata(obj));

/** Any new resourceVersion: right for secondaries whose status matters (replica counts). */
export const anyChange: UpdatePredicate = (old, obj) => old.metadata?.resourceVersion !== obj.metadata?.resourceVersion;

/**
 * Enqueues the object's own key (the resource a controller is "for"). Adds and updates of
 * objects that do not `concern` the controller are dropped; deletes never are.
 */
export function enqueueObject<T extends KubeObject>(enqueue: (key: string) => void, predicate: UpdatePredicate<T> = specOrMetadataChanged, concerns: (obj: T) => boolean = () => true): EventHandler<T> {
  return {
    add: (obj) => {
      if (concerns(obj)) enqueue(objectKey(obj));
    },
    update: (old, obj) => {
      if (concerns(obj) && predicate(old, obj)) enqueue(objectKey(obj));
    },
    delete: (obj) => enqueue(objectKey(obj)),
  };
}

/**
 * Enqueues the keys `map` returns. On update both the old and the new object are mapped,
 * so a change that moves an object from one primary to another wakes both.
 */
export function enqueueMapped<T extends KubeObject>(map: MapFn<T>, enqueue: (key: string) => void, predicate: UpdatePredicate<T> = anyChange): EventHandler<T> {
  const each = (obj: T): void => {
    for (const key of map(obj)) enqueue(key);
  };
  return {
    add: each,
    update: (old, obj) => {
      if (!predicate(old, obj)) return;
      const keys = new Set([...map(old), ...map(obj)]);
      for (const key of keys) enqueue(key);
    },
    delete: each,
  };
}

/** A MapFn for owned objects: the keys of owners of the given kind (same namespace). */
export function ownerKeys(ownerApiVersion: string, ownerKind: string): MapFn {
  return (obj) =>
    (obj.metadata?.ownerReferences ?? [])
      .filter((ref) => ref.kind === ownerKind && ref.apiVersion === ownerApiVersion)
      .map((ref) => objectKey({ metadata: { namespace: obj.metadata?.namespace, name: ref.name } }));
}
