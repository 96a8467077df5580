// The ceilings controller: observe every target a CostGuard names, decide (pure), act when
// enforcing, and write status once. Deletion runs the onDelete policy behind a finalizer.
import { ConditionType, FINALIZER, validateSpec, type CostGuard } from '../../api/v1alpha1/index.ts';
import { isCloudError } from '../../cloud/errors.ts';
import type { ConditionInput } from '../../runtime/conditions.ts';
import { errorMessage, TerminalError } from '../../runtime/errors.ts';
import { objectReference, type EventSpec, type ObjectReference } from '../../runtime/events.ts';
import { ensureFinalizer, isBeingDeleted } from '../../runtime/finalizers.ts';
import type { Informer } from '../../runtime/informer/informer.ts';
import type { ReconcileContext, Reconciler, ReconcileResult } from '../../runtime/reconciler.ts';
import { announceDriftReverted, type RevertedDrift } from '../../alerting/drift.ts';
import type { Notifier } from '../../alerting/notifier.ts';
import { awsTargetOf, COSTGUARD_RESOURCE } from '../resources.ts';
import { pauseState, type PauseState } from '../shared/pause.ts';
import type { ActDeps } from '../actuator/act.ts';
import { applyPlan, failureWhy } from '../actuator/apply.ts';
import { isRefusal, RefusedWrites } from '../actuator/refusals.ts';
import { objectKey } from '../../runtime/keys.ts';
import { ceilingConditions } from './conditions.ts';
import { ceilingIssues } from './spec-issues.ts';
import { applyTenancy, OPEN_POLICY, permittedGuard, type TenancyPolicy } from '../targets/tenancy.ts';
import { failedEvent, findingEvent, invalidPauseEvent, invalidSpecEvent, missingEvent, notApplicableEvent, observeFailedEvent, unknownAnnotationsEvent, unmatchedEvent } from './events.ts';
import { finalizeGuard } from './finalize.ts';
import { awsScope, type Scope } from './messages.ts';
import { targetFigures, type CeilingMetrics } from './metrics.ts';
import { observeCeilings } from '../targets/observe.ts';
import type { ObservedCeilings, PeerCeiling } from '../targets/observed.ts';
import { PeerIndex } from '../actuator/peers.ts';
import { targetKey } from '../targets/group-snapshots.ts';
import { holdingOf, type RecordsIdentity } from './holding.ts';
import { learnAccounts, type TargetAccounts } from '../targets/identity.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import { ownerOf } from '../targets/records.ts';
import type { CeilingsPlan, Finding } from '../actuator/plan.ts';
import { MAX_TARGETS } from '../shared/target-cap.ts';
import { nextStatus } from './status.ts';

export interface CeilingsDeps extends ActDeps {
  guards: Informer<CostGuard>;
  metrics: CeilingMetrics;
  /** Region for guards without spec.aws (the operator's AWS_REGION). */
  defaultRegion: string;
  /** Which namespaces may target NodePools and AWS, and which roles (default: open). */
  tenancy?: TenancyPolicy;
  /** Where a reverted drift is announced (Slack, Events); without it, Events only. */
  notifier?: Notifier;
  /** The account behind each guard's credentials: peers on a group are found by account, not by role. */
  accounts?: TargetAccounts;
  /** Who holds what on the targets' records: this cluster's id and the namespaces this operator sees. Without it, holders are neither read nor written. */
  records?: RecordsIdentity;
}

interface Report {
  plan: CeilingsPlan;
  act: boolean;
  pause: PauseState;
  /** Where the targets were looked up, for not-found and no-match messages. */
  scope: Scope;
  /** "target: why" for each failed action. */
  failures: string[];
  /** Of `failures`, those that failed this time (not a remembered refusal): each worth an event. */
  freshFailures: string[];
  /** The targets of the failed actions (their findings did not happen). */
  failedTargets: ReadonlySet<string>;
  /** Parts of the spec the tenancy policy refused. */
  refused: readonly string[];
}

export class CeilingsReconciler implements Reconciler {
  readonly name = 'ceilings';
  private readonly deps: CeilingsDeps;
  private readonly restoreAttempts = new Map<string, number>();
  /** Writes refused as invalid, per guard: not sent again until something changed. */
  private readonly refusals = new RefusedWrites();
  /** Guards whose account was asked for (STS answers are cached per role; this skips the pass). */
  private readonly accountsAsked = new WeakSet<CostGuard>();
  /** Who else caps what; rebuilt only when a guard in the cache changed. */
  private readonly peerIndex: PeerIndex;

  constructor(deps: CeilingsDeps) {
    this.deps = deps;
    const policy = deps.tenancy ?? OPEN_POLICY;
    this.peerIndex = new PeerIndex((g) => awsTargetOf(g, deps.defaultRegion), (g) => permittedGuard(g, policy), deps.accounts);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const cached = this.deps.guards.getByKey(key);
    if (!cached) return;
    const { namespace = '', name = '' } = cached.metadata;
    await this.learnAccounts();
    if (isBeingDeleted(cached)) {
      // Restore reads and writes through the same boundary as the reconcile: a part the policy
      // refuses (a namespace refused AWS, a role outside the pattern) is never restored either.
      const verdict = applyTenancy(cached, this.deps.tenancy ?? OPEN_POLICY);
      const holding = holdingOf(cached, this.deps.records, () => this.deps.guards.list(), this.deps.tenancy ?? OPEN_POLICY);
      const restoreDeps = { ...this.deps, restoreAttempts: this.restoreAttempts, peers: (g: CostGuard, o: ObservedCeilings) => this.peersOf(g, o), permits: verdict, ...(holding ? { holding } : {}) };
      await finalizeGuard(restoreDeps, permittedGuard(cached, this.deps.tenancy ?? OPEN_POLICY), ctx);
      this.deps.metrics.forget(namespace, name);
      this.refusals.forget(key);
      return;
    }
    const guard = await ensureFinalizer(this.deps.rest, COSTGUARD_RESOURCE, cached, FINALIZER);
    const issues = ceilingIssues(validateSpec(guard.spec));
    if (issues.length) return this.rejectSpec(guard, issues.map((i) => `${i.path}: ${i.message}`).join('; '), ctx);
    // Out-of-policy targets are dropped before anything is observed or written; the rest holds.
    const verdict = applyTenancy(guard, this.deps.tenancy ?? OPEN_POLICY);
    await this.enforce({ ...guard, spec: verdict.spec }, ctx, verdict.refused);
  }

  private async enforce(guard: CostGuard, ctx: ReconcileContext, refused: readonly string[]): Promise<void> {
    const pause = pauseState(guard);
    const act = guard.spec.mode === 'Enforce' && !pause.paused;
    const target = awsTargetOf(guard, this.deps.defaultRegion);
    const scope: Scope = { aws: awsScope(target, guard.spec.aws !== undefined), namespace: guard.metadata.namespace ?? '' };
    let observed: ObservedCeilings;
    try {
      observed = await observeCeilings(this.deps, guard, target);
    } catch (err) {
      return this.observeFailed(guard, err, ctx);
    }
    const nowMs = ctx.clock.now();
    const owner = ownerOf(guard);
    observed = { ...observed, peers: this.peersOf(guard, observed) };
    const holding = holdingOf(guard, this.deps.records, () => this.deps.guards.list(), this.deps.tenancy ?? OPEN_POLICY);
    const ctxPlan = { nowMs, act, owner, paused: pause.paused, ...(holding ? { holding } : {}) };
    const key = objectKey(guard);
    const refusals = { refused: this.refusals.of(key), generation: guard.metadata.generation };
    const who = { namespace: guard.metadata.namespace ?? '', owner };
    const { plan: applied, failures, refused: stillRefused } = await applyPlan(this.deps, { observed, prior: guard.status ?? {}, ctx: ctxPlan, target, who, refusals });
    this.refusals.set(key, new Map(stillRefused));
    const failedTargets = new Set(failures.map((f) => f.action.target));
    const text = (f: (typeof failures)[number]): string => `${f.action.target}: ${failureWhy(f.error)}`;
    const failureText = failures.map(text);
    const freshFailures = failures.filter((f) => !f.withheld).map(text);
    await this.report(guard, { plan: applied, act, pause, scope, failures: failureText, freshFailures, failedTargets, refused }, ctx);
    // A refusal (422/400, an AWS validation error) is reported, not retried: the same write
    // would be refused again. It is sent again when the guard or the target changes.
    const retryable = failures.find((f) => !f.withheld && !isRefusal(f.error) && (!isCloudError(f.error) || f.error.retryable));
    if (retryable) throw new Error(`clamping ${retryable.action.target} failed: ${errorMessage(retryable.error)}`);
  }

  /**
   * The accounts of every credential an acting guard uses on groups (one STS call per region
   * and role, ever), so that peers are matched by account before anything is decided.
   */
  private async learnAccounts(): Promise<void> {
    if (!this.deps.accounts) return;
    const policy = this.deps.tenancy ?? OPEN_POLICY;
    const targets = new Map<string, { target: AwsTarget; guards: CostGuard[] }>();
    for (const g of this.deps.guards.list()) {
      // Each informer object once: a changed guard is a new object, an unchanged one was asked for.
      if (this.accountsAsked.has(g)) continue;
      const permitted = permittedGuard(g, policy);
      if (!permitted.spec.scalingGroups?.length) continue;
      const t = awsTargetOf(permitted, this.deps.defaultRegion);
      const entry = targets.get(targetKey(t)) ?? { target: t, guards: [] };
      entry.guards.push(g);
      targets.set(targetKey(t), entry);
    }
    const entries = [...targets.values()];
    const failed = await learnAccounts(this.deps.accounts, entries.map((e) => e.target));
    // A guard whose answer failed is asked for again (AccountIds waits a minute before it calls STS again).
    for (const e of entries) if (!failed.has(e.target)) for (const g of e.guards) this.accountsAsked.add(g);
  }

  /** Other acting guards' ceilings on the targets this guard observed. */
  private peersOf(guard: CostGuard, observed: ObservedCeilings): PeerCeiling[] {
    return this.peerIndex.peers(guard, this.deps.guards.list(), observed);
  }

  private async report(guard: CostGuard, r: Report, ctx: ReconcileContext): Promise<void> {
    const s = r.plan.status;
    const targetCount = (s.scalingGroups?.length ?? 0) + (s.workloads?.length ?? 0) + (s.nodePools?.length ?? 0);
    const invalidPause = r.pause.invalid;
    const outcome = { plan: r.plan, mode: guard.spec.mode, paused: r.pause.paused, failures: r.failures, targetCount, scope: r.scope };
    const unknownAnnotations = r.pause.unknown ?? [];
    const conditions = withOverflow(withRefusals(ceilingConditions({ ...outcome, ...(invalidPause !== undefined ? { invalidPause } : {}), unknownAnnotations }), r.refused), r.plan.overflow, targetCount);
    const status = nextStatus({ guard, conditions, nowMs: ctx.clock.now(), ceilings: s });
    // Events first: other controllers write this guard's status too, and a 409 here (a requeue)
    // must not lose the event of a clamp that already happened. The record of the original is
    // on the target, so the next reconcile rebuilds the same status.
    await this.announce(guard, r, ctx);
    await ctx.status.update(COSTGUARD_RESOURCE, guard, status);
    const p = r.plan;
    ctx.log.info({ findings: p.findings.length, binding: p.binding.length, missing: p.missing.length, failures: r.failures.length }, 'ceilings reconciled');
  }

  /** Events and metrics for what this reconcile found and did. */
  private async announce(guard: CostGuard, r: Report, ctx: ReconcileContext): Promise<void> {
    const { namespace = '', name = '' } = guard.metadata;
    const regarding = objectReference(COSTGUARD_RESOURCE, guard);
    for (const finding of r.plan.findings.filter((f) => !r.failedTargets.has(f.target) && !f.repeated)) {
      await ctx.events.publish(findingEvent(regarding, finding, r.act));
      if (r.act) this.deps.metrics.clamps.inc({ namespace, name, reason: finding.reason });
      // Someone raised a ceiling again: that is worth a message, not only an event.
      if (finding.drift && this.deps.notifier) await announceDriftReverted(this.deps.notifier, guard, revertedDrift(finding), r.act);
    }
    this.deps.metrics.pending.set({ namespace, name }, r.act ? 0 : r.plan.findings.length);
    for (const event of annotationEvents(regarding, r.pause, guard.spec.mode)) await ctx.events.publish(event);
    if (r.plan.missing.length) await ctx.events.publish(missingEvent(regarding, r.plan, r.scope));
    if (r.plan.unmatched.length) await ctx.events.publish(unmatchedEvent(regarding, r.plan.unmatched, r.scope));
    await announceRefusals(guard, r, ctx);
    this.deps.metrics.setBinding(namespace, name, r.plan.binding);
    this.deps.metrics.setTargets(namespace, name, targetFigures(r.plan.status));
    this.deps.metrics.missing.set({ namespace, name }, r.plan.missing.length);
    this.deps.metrics.unmatched.set({ namespace, name }, r.plan.unmatched.length);
  }

  private async rejectSpec(guard: CostGuard, message: string, ctx: ReconcileContext): Promise<void> {
    const conditions: ConditionInput[] = [
      { type: ConditionType.CeilingsEnforced, status: 'False', reason: 'InvalidSpec', message },
      { type: ConditionType.Degraded, status: 'True', reason: 'InvalidSpec', message },
    ];
    await ctx.status.update(COSTGUARD_RESOURCE, guard, nextStatus({ guard, conditions, nowMs: ctx.clock.now() }));
    await ctx.events.publish(invalidSpecEvent(objectReference(COSTGUARD_RESOURCE, guard), message));
  }

  /** AWS or the API server failed while observing: say so in status, then retry or stop. */
  private async observeFailed(guard: CostGuard, err: unknown, ctx: ReconcileContext): Promise<void> {
    const reason = isCloudError(err) ? `Cloud${err.kind}` : 'ObserveFailed';
    const message = `Could not observe the targets: ${errorMessage(err)}`;
    const conditions: ConditionInput[] = [{ type: ConditionType.Degraded, status: 'True', reason, message }];
    await ctx.status.update(COSTGUARD_RESOURCE, guard, nextStatus({ guard, conditions, nowMs: ctx.clock.now() }));
    await ctx.events.publish(observeFailedEvent(objectReference(COSTGUARD_RESOURCE, guard), message));
    if (isCloudError(err) && !err.retryable) throw new TerminalError(message, { cause: err });
    throw err;
  }
}

/**
 * One Warning event per new failure or ceiling the target cannot take: a write refused before
 * and withheld since, or a sentence the condition already carries, is not announced again.
 */
async function announceRefusals(guard: CostGuard, r: Report, ctx: ReconcileContext): Promise<void> {
  const regarding = objectReference(COSTGUARD_RESOURCE, guard);
  if (r.freshFailures.length) await ctx.events.publish(failedEvent(regarding, r.freshFailures));
  if (r.plan.notApplicable.length && !alreadyTold(guard, r.plan.notApplicable)) await ctx.events.publish(notApplicableEvent(regarding, r.plan.notApplicable));
}

/** The guard's CeilingsEnforced condition already says all of this: no new event for it. */
function alreadyTold(guard: CostGuard, sentences: readonly string[]): boolean {
  const message = guard.status?.conditions?.find((c) => c.type === ConditionType.CeilingsEnforced)?.message ?? '';
  return sentences.every((s) => message.includes(s));
}

/** The drift alert's facts from a reverted finding: what changed, and what holds the target (the rate limit, a hold) when not the spec. */
function revertedDrift(finding: Finding): RevertedDrift {
  return { target: finding.target, message: finding.message, ...(finding.heldBy ? { heldBy: finding.heldBy } : {}) };
}

/** Annotations the user set that did not do what they meant: an invalid pause value, unknown costguard.io/* names. */
function annotationEvents(regarding: ObjectReference, pause: PauseState, mode: 'DryRun' | 'Enforce'): EventSpec[] {
  return [
    ...(pause.invalid !== undefined ? [invalidPauseEvent(regarding, pause.invalid, mode)] : []),
    ...(pause.unknown?.length ? [unknownAnnotationsEvent(regarding, pause.unknown, mode)] : []),
  ];
}

/** The tenancy policy refused part of the spec: CeilingsEnforced says so, whatever else held. */
function withRefusals(conditions: ConditionInput[], refused: readonly string[]): ConditionInput[] {
  if (!refused.length) return conditions;
  const message = `Refused by the operator's tenancy policy: ${refused.join('; ')}. The other targets are enforced.`;
  return conditions.map((c) => (c.type === ConditionType.CeilingsEnforced ? { ...c, status: 'False', reason: 'NotPermitted', message } : c));
}

/** More targets than one guard acts on: CeilingsEnforced says how many, the cap, and which were left alone. */
function withOverflow(conditions: ConditionInput[], overflow: readonly string[], enforced: number): ConditionInput[] {
  if (!overflow.length) return conditions;
  const shown = overflow.slice(0, 5).join(', ') + (overflow.length > 5 ? ` and ${overflow.length - 5} more` : '');
  const message =
    `The guard matches ${enforced + overflow.length} targets; one guard acts on at most ${MAX_TARGETS}. ` +
    `The first ${enforced} (workloads and NodePools, then groups by name) are enforced; ${overflow.length} groups are left alone, never written: ${shown}. ` +
    'Narrow the tag selectors or split the guard.';
  return conditions.map((c) => (c.type === ConditionType.CeilingsEnforced ? { ...c, status: 'False', reason: 'TooManyTargets', message } : c));
}
