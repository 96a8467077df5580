// The outbox lives in a ConfigMap the guard owns, `costguard-<guard>-alerts` (data key
// outbox.json), not in the guard's status: several controllers patch that status, and an
// outbox that changes with every delivery would make each of their writes lose the
// optimistic-lock race more often. The ConfigMap has one writer (this store) and is removed
// with its guard by garbage collection. Writes are read-modify-write with resourceVersion,
// serialized per guard in this process and retried on 409.
import { API_VERSION, KIND, type CostGuard } from '../api/v1alpha1/index.ts';
import { deepEqual } from '../runtime/equality.ts';
import { isConflict, isNotFound } from '../runtime/errors.ts';
import { collectionPath, objectPath, Resources } from '../runtime/kube/resource.ts';
import type { RestClient } from '../runtime/kube/rest.ts';
import { createHash } from 'node:crypto';
import { emptyOutbox, parseOutbox, type Outbox } from './outbox.ts';

export const OUTBOX_KEY = 'outbox.json';
export const OUTBOX_LABEL = 'costguard.io/alerts-outbox';
const MAX_ATTEMPTS = 5;
const NAME_MAX = 253;

interface ConfigMap {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; ownerReferences?: { uid: string }[] };
  data?: Record<string, string>;
}

/** `costguard-<guard>-alerts`; a guard name too long for that is shortened with a hash. */
export function outboxName(guardName: string): string {
  const name = `costguard-${guardName}-alerts`;
  if (name.length <= NAME_MAX) return name;
  const hash = createHash('sha256').update(guardName).digest('hex').slice(0, 10);
  return `costguard-${guardName.slice(0, NAME_MAX - 28)}-${hash}-alerts`;
}

const keyOf = (guard: CostGuard): string => `${guard.metadata.namespace}/${guard.metadata.name}`;

/** The outbox's ConfigMap name is taken by an object this guard does not own. */
export class OutboxNameTaken extends Error {
  constructor(namespace: string, name: string) {
    super(`ConfigMap ${namespace}/${name} exists and is not owned by this CostGuard; alerts go to Events only until it is renamed or deleted`);
    this.name = 'OutboxNameTaken';
  }
}

export type OutboxMutation = (outbox: Outbox) => Outbox;

export class OutboxStore {
  private readonly rest: Pick<RestClient, 'get' | 'create' | 'replace'>;
  private readonly locks = new Map<string, Promise<unknown>>();
  /**
   * The last ConfigMap read or written per guard ("ns/name", with the guard's uid). This
   * process is the only writer, so a fire() that dedupes to nothing costs no API call; a
   * stale entry (someone edited or deleted the ConfigMap) shows up as a 409 or 404 on write,
   * and the write is retried from a fresh read.
   */
  private readonly cache = new Map<string, { uid: string; cm: ConfigMap }>();

  constructor(rest: Pick<RestClient, 'get' | 'create' | 'replace'>) {
    this.rest = rest;
  }

  async read(guard: CostGuard): Promise<Outbox> {
    return this.decode(guard, this.cached(guard) ?? (await this.get(guard)));
  }

  /** Applies `mutate` to the stored outbox and writes the result when it changed; returns it. */
  update(guard: CostGuard, mutate: OutboxMutation): Promise<Outbox> {
    const key = keyOf(guard);
    const run = (this.locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.write(guard, mutate));
    this.locks.set(key, run);
    void run.finally(() => {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }).catch(() => undefined);
    return run;
  }

  /** Drops what is remembered about a guard that is gone. */
  forget(namespace: string, name: string): void {
    this.cache.delete(`${namespace}/${name}`);
  }

  private async write(guard: CostGuard, mutate: OutboxMutation): Promise<Outbox> {
    for (let attempt = 1; ; attempt++) {
      const cm = (attempt === 1 ? this.cached(guard) : undefined) ?? (await this.get(guard));
      const current = this.decode(guard, cm);
      const next = mutate(current);
      if (deepEqual(current, next)) return current;
      try {
        const written = cm
          ? await this.rest.replace<ConfigMap>(this.path(guard), this.body(guard, next, cm))
          : await this.rest.create<ConfigMap>(collectionPath(Resources.configMaps, guard.metadata.namespace), this.body(guard, next));
        this.remember(guard, written);
        return next;
      } catch (err) {
        this.cache.delete(keyOf(guard));
        // 409: someone wrote first (or it exists already); 404: it was deleted. Read and retry.
        if (!(isConflict(err) || isNotFound(err)) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  private cached(guard: CostGuard): ConfigMap | undefined {
    const entry = this.cache.get(keyOf(guard));
    return entry && entry.uid === guard.metadata.uid ? entry.cm : undefined;
  }

  private remember(guard: CostGuard, cm: ConfigMap | undefined): void {
    if (cm?.metadata?.resourceVersion) this.cache.set(keyOf(guard), { uid: guard.metadata.uid ?? '', cm });
    else this.cache.delete(keyOf(guard));
  }

  private async get(guard: CostGuard): Promise<ConfigMap | undefined> {
    try {
      const cm = await this.rest.get<ConfigMap>(this.path(guard));
      this.remember(guard, cm);
      return cm;
    } catch (err) {
      this.cache.delete(keyOf(guard));
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private decode(guard: CostGuard, cm: ConfigMap | undefined): Outbox {
    if (!cm) return emptyOutbox();
    // A ConfigMap of that name that this guard does not own is someone else's: never take it over.
    if (!cm.metadata.ownerReferences?.some((o) => o.uid === guard.metadata.uid)) {
      throw new OutboxNameTaken(cm.metadata.namespace, cm.metadata.name);
    }
    return parseOutbox(cm.data?.[OUTBOX_KEY]).outbox;
  }

  private path(guard: CostGuard): string {
    return objectPath(Resources.configMaps, guard.metadata.namespace, outboxName(guard.metadata.name ?? ''));
  }

  private body(guard: CostGuard, outbox: Outbox, existing?: ConfigMap): Record<string, unknown> {
    const { name = '', namespace = '', uid = '' } = guard.metadata;
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: outboxName(name),
        namespace,
        ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
        labels: { 'app.kubernetes.io/managed-by': 'costguard', [OUTBOX_LABEL]: 'true' },
        ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name, uid, controller: true }],
      },
      data: { [OUTBOX_KEY]: JSON.stringify(outbox) },
    };
  }
}
