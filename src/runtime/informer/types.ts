// The reflector's seams and knobs: how it lists and watches (the API server, or a fake in
// unit tests) and its timings.
import type { Clock } from '../clock.ts';
import type { ResourceType } from '../kube/resource.ts';
import type { KubeList, Query } from '../kube/rest.ts';
import type { Logger } from '../logger.ts';
import type { StoreListener } from './store.ts';

export type ListFn = (path: string, query: Query) => Promise<KubeList<unknown>>;
export type WatchFn = (path: string, query: Query, onEvent: (type: string, obj: unknown) => void, onDone: (err: unknown) => void) => Promise<{ abort(): void }>;

export interface ReflectorTimings {
  relistPeriodMs: number;
  staleAfterMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  absentRetryMs: number;
  pageSize: number;
}

export const DEFAULT_TIMINGS: ReflectorTimings = {
  relistPeriodMs: 10 * 60_000,
  staleAfterMs: 90_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
  absentRetryMs: 2 * 60_000,
  pageSize: 500,
};

export interface ReflectorOptions<T> {
  resource: ResourceType;
  namespace?: string;
  list: ListFn;
  watch: WatchFn;
  clock: Clock;
  log: Logger;
  listener: StoreListener<T>;
  timings?: Partial<ReflectorTimings>;
  onRestart?: (reason: string) => void;
  onSynced?: () => void;
  random?: () => number;
}
