// The worker ConfigMap: what the concurrency controller publishes and the worker library reads.
// Its name, label, key and JSON shape are a contract with every deployed worker, so they live
// here once:
//
//   ConfigMap costguard-<guard name> (the guard's namespace), owned by the guard,
//   label app.kubernetes.io/managed-by: costguard, one key worker.json:
//   {"version":1,"guard":"<ns>/<name>","perReplicaLimit":16,"frozen":false,
//    "retryBudgetPercent":10,"breaker":{"errorThresholdPercentage":50,"volumeThreshold":10,
//    "resetTimeoutMs":30000,"fleetOpenPercent":50},"publishedAt":"2026-01-01T00:00:00Z"}
//
// Pure: building, comparing and reading the ConfigMap; no I/O.
import { API_VERSION, KIND, parseDuration, type CostGuard } from '../../api/v1alpha1/index.ts';
import type { KubeObject } from '../../runtime/keys.ts';

export const WORKER_CONFIG_KEY = 'worker.json';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'costguard';
export const WORKER_CONFIG_VERSION = 1;

/** Defaults of spec.breaker and spec.runaway.retryBudgetPercent, as the CRD declares them. */
export const BREAKER_DEFAULTS = { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeout: '30s', fleetOpenPercent: 50 } as const;
export const RETRY_BUDGET_DEFAULT = 10;

// The breaker part of worker.json has one definition, the worker library's (the reader), so
// the operator (the writer) cannot drift from it. A type-only import: nothing of the library
// is loaded into the operator.
export type { BreakerSettings } from '../../worker/settings.ts';
import type { BreakerSettings } from '../../worker/settings.ts';

/** worker.json without publishedAt: the part whose change means "publish again". */
export interface WorkerSettings {
  version: number;
  guard: string;
  perReplicaLimit: number;
  frozen: boolean;
  retryBudgetPercent: number;
  breaker: BreakerSettings;
}

export interface WorkerConfig extends WorkerSettings {
  publishedAt: string;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export function configMapName(guardName: string): string {
  return `costguard-${guardName}`;
}

/** spec.breaker with its defaults filled in (the whole section may be absent). */
export function breakerSettings(guard: CostGuard): BreakerSettings {
  const b = guard.spec.breaker;
  return {
    errorThresholdPercentage: b?.errorThresholdPercentage ?? BREAKER_DEFAULTS.errorThresholdPercentage,
    volumeThreshold: b?.volumeThreshold ?? BREAKER_DEFAULTS.volumeThreshold,
    resetTimeoutMs: parseDuration(b?.resetTimeout ?? BREAKER_DEFAULTS.resetTimeout),
    fleetOpenPercent: b?.fleetOpenPercent ?? BREAKER_DEFAULTS.fleetOpenPercent,
  };
}

export function sameSettings(a: WorkerSettings, b: WorkerSettings | undefined): boolean {
  return b !== undefined && JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));
}

/** The settings fields in a fixed order, whatever order they were parsed in. */
function settingsOf(c: WorkerSettings): WorkerSettings {
  const { errorThresholdPercentage, volumeThreshold, resetTimeoutMs, fleetOpenPercent } = c.breaker;
  return {
    version: c.version,
    guard: c.guard,
    perReplicaLimit: c.perReplicaLimit,
    frozen: c.frozen,
    retryBudgetPercent: c.retryBudgetPercent,
    breaker: { errorThresholdPercentage, volumeThreshold, resetTimeoutMs, fleetOpenPercent },
  };
}

/** The worker.json a ConfigMap holds, or undefined when it is absent or not ours to read. */
export function readWorkerConfig(cm: ConfigMap | undefined): WorkerConfig | undefined {
  const text = cm?.data?.[WORKER_CONFIG_KEY];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<WorkerConfig>;
    if (typeof parsed.publishedAt !== 'string' || typeof parsed.breaker !== 'object' || parsed.breaker === null) return undefined;
    return parsed as WorkerConfig;
  } catch {
    return undefined;
  }
}

/** True when the ConfigMap carries an owner reference to this guard (by UID). */
export function ownedBy(cm: ConfigMap, guard: CostGuard): boolean {
  return (cm.metadata?.ownerReferences ?? []).some((r) => r.kind === KIND && r.uid === guard.metadata.uid);
}

type OwnerReference = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number] & { blockOwnerDeletion: boolean };

function ownerReference(guard: CostGuard): OwnerReference {
  // blockOwnerDeletion: foreground deletion of the guard waits for its ConfigMap.
  return { apiVersion: API_VERSION, kind: KIND, name: guard.metadata.name ?? '', uid: guard.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The full ConfigMap body to create. */
export function configMapBody(guard: CostGuard, config: WorkerConfig): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(guard.metadata.name ?? ''),
      namespace: guard.metadata.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ownerReferences: [ownerReference(guard)],
    },
    data: { [WORKER_CONFIG_KEY]: JSON.stringify(config) },
  };
}

/**
 * A ConfigMap of this name that someone else made is never taken over: only one without
 * owners or labelled as ours (say, left by an earlier guard of the same name) is adopted.
 */
export function mayAdopt(cm: ConfigMap, guard: CostGuard): boolean {
  return ownedBy(cm, guard) || cm.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/** A merge patch that makes an existing ConfigMap ours and sets worker.json, locked on resourceVersion. */
export function configMapPatch(guard: CostGuard, existing: ConfigMap, config: WorkerConfig): Record<string, unknown> {
  return {
    metadata: {
      resourceVersion: existing.metadata?.resourceVersion,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ownerReferences: [ownerReference(guard)],
    },
    // Other keys (someone's additions) are dropped: the ConfigMap is ours alone.
    data: { ...Object.fromEntries(Object.keys(existing.data ?? {}).map((k) => [k, null])), [WORKER_CONFIG_KEY]: JSON.stringify(config) },
  };
}
