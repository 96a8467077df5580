// The informer's cache for one list/watch: objects by "namespace/name", with the diff a relist
// needs (adds, updates with the old object, deletes for what disappeared while we were not
// watching). managedFields are stripped on the way in: they are often half of an object's
// size and no controller here reads them.
import { objectKey, type KubeObject } from '../keys.ts';

export interface StoreListener<T> {
  add(obj: T): void;
  update(old: T, obj: T): void;
  delete(obj: T): void;
}

export type Transform<T> = (obj: T) => T;

export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

type Change<T> = { kind: 'add'; obj: T } | { kind: 'update'; old: T; obj: T } | { kind: 'delete'; obj: T };

export class Store<T extends KubeObject> {
  private objects = new Map<string, T>();
  private readonly listener: StoreListener<T>;

  constructor(listener: StoreListener<T>) {
    this.listener = listener;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  upsert(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    if (!old) this.listener.add(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.listener.update(old, obj);
  }

  remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    this.listener.delete(obj);
  }

  /** Replaces the contents with a fresh list and notifies only what changed. */
  replace(items: readonly T[]): void {
    const next = new Map(items.map((o) => [objectKey(o), o] as const));
    const changes: Array<Change<T>> = [];
    for (const [key, old] of this.objects) if (!next.has(key)) changes.push({ kind: 'delete', obj: old });
    for (const [key, obj] of next) {
      const old = this.objects.get(key);
      if (!old) changes.push({ kind: 'add', obj });
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) changes.push({ kind: 'update', old, obj });
    }
    // Swap first, so handlers reading the cache see the state they are told about.
    this.objects = next;
    for (const c of changes) this.notify(c);
  }

  private notify(c: Change<T>): void {
    if (c.kind === 'add') this.listener.add(c.obj);
    else if (c.kind === 'update') this.listener.update(c.old, c.obj);
    else this.listener.delete(c.obj);
  }
}
