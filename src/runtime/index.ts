// The runtime's public surface: what controllers, the CLI and tests import.
export { systemClock, sleep, jitter, type Clock, type TimerHandle } from './clock.ts';
export { ConfigError, parseConfig, parseBindAddress, CONFIG_FLAGS, type BindAddress, type RuntimeConfig, type ParseOptions, type ParsedConfig } from './config.ts';
export { configUsage } from './config-flags.ts';
export {
  setCondition,
  getCondition,
  isConditionTrue,
  removeCondition,
  computeReady,
  deriveReady,
  formatTime,
  type Condition,
  type ConditionInput,
  type ConditionStatus,
  type ReadyDependents,
  type Stamp,
} from './conditions.ts';
export { Controller, type ControllerOptions } from './controller.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { deepEqual, mergePatchDiff } from './equality.ts';
export { TerminalError, KubeApiError, statusCodeOf, isNotFound, isConflict, isGone, isTerminal, errorMessage } from './errors.ts';
export {
  KubeEventRecorder,
  normalEvent,
  warningEvent,
  objectReference,
  REPORTING_CONTROLLER,
  type EventRecorder,
  type EventSpec,
  type EventOutcome,
  type EventType,
  type ObjectReference,
} from './events.ts';
export { ensureFinalizer, removeFinalizer, hasFinalizer, isBeingDeleted } from './finalizers.ts';
export { Informer, kubeListWatch, type EventHandler, type InformerOptions } from './informer/informer.ts';
export { DEFAULT_TIMINGS, type ListFn, type WatchFn, type ReflectorTimings } from './informer/types.ts';
export { stripManagedFields } from './informer/store.ts';
export { objectKey, namespacedKey, parseKey, type KubeObject, type ObjectMeta, type ParsedKey } from './keys.ts';
export { Resources, apiVersionOf, resourceName, collectionPath, objectPath, type ResourceType } from './kube/resource.ts';
export { RestClient, ContentType, type KubeList, type Query, type RequestOptions } from './kube/rest.ts';
export { RateLimitedError, type Priority } from './kube/token-bucket.ts';
export { FencedError, type Fence } from './fence.ts';
export { LeaderElector, type LeaderElectorOptions } from './leaderelection.ts';
export { KubeLeaseLock, type LeaseLock, type LeaderElectionRecord, type LockState } from './lease-lock.ts';
export { createLogger, silentLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.ts';
export { Manager, type ManagerOptions, type ControllerSpec, type WatchSpec, type StopReason } from './manager.ts';
export { RuntimeMetrics, type ReconcileResultLabel } from './metrics.ts';
export {
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from './ratelimiter.ts';
export type { Reconciler, ReconcileContext, ReconcileResult, ReconcileServices } from './reconciler.ts';
export { onShutdownSignal } from './signals.ts';
export { KubeStatusWriter, statusPatch, type StatusWriter, type StatusWriteResult } from './status.ts';
export { enqueueObject, enqueueMapped, ownerKeys, specOrMetadataChanged, anyChange, type MapFn, type UpdatePredicate } from './watches.ts';
export { WorkQueue } from './workqueue.ts';
