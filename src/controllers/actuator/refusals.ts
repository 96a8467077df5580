// Writes refused as invalid are not transient. The API server answers 422 (a CRD's CEL rule,
// such as KEDA's minReplicaCount <= maxReplicaCount) or 400, AWS answers a validation error
// (CloudError kind Invalid): sending the same write again gets the same answer. A refused
// write is remembered per guard and target, and is sent again only when something that could
// change the answer changed — the guard (its generation), the target (its spec, not its status,
// which controllers rewrite all the time; for a group, the values the write was planned from),
// so the write itself — or after
// REFUSAL_RETRY_MS. In between the refusal is reported as it stands (a False condition),
// without a write, an error-level log line or a new Event.
import { isCloudError } from '../../cloud/errors.ts';
import { statusCodeOf } from '../../runtime/errors.ts';
import type { CeilingAction } from './plan.ts';

/** How long an unchanged refused write waits before it is sent again. */
export const REFUSAL_RETRY_MS = 10 * 60_000;

/** A 422 or 400 from the API server, or an AWS validation error: the write itself is wrong. */
export function isRefusal(err: unknown): boolean {
  if (isCloudError(err)) return err.kind === 'Invalid';
  const code = statusCodeOf(err);
  return code === 422 || code === 400;
}

export interface Refusal {
  /** The write and the guard generation it was planned under. */
  fingerprint: string;
  error: unknown;
  atMs: number;
}

/**
 * The write, with the guard's generation: any difference is a reason to try again. Left out:
 * a group write's clampedAt (the time it is sent) and a target's resourceVersion (it moves with
 * every status update; the digest of the target's spec, part of the action, stands for it).
 */
export function fingerprintOf(action: CeilingAction, generation: number | undefined): string {
  const write = action.kind === 'asg' ? { ...action, clampedAt: undefined } : { ...action, resourceVersion: undefined };
  return `${generation ?? 0}|${JSON.stringify(write)}`;
}

/** Pure: the actions to send, and those withheld because the same write was refused recently. */
export function withholdRefused(
  actions: readonly CeilingAction[],
  refused: ReadonlyMap<string, Refusal>,
  at: { generation: number | undefined; nowMs: number },
): { send: CeilingAction[]; withheld: { action: CeilingAction; refusal: Refusal }[] } {
  const send: CeilingAction[] = [];
  const withheld: { action: CeilingAction; refusal: Refusal }[] = [];
  for (const action of actions) {
    const r = refused.get(action.target);
    const same = r !== undefined && r.fingerprint === fingerprintOf(action, at.generation) && at.nowMs - r.atMs < REFUSAL_RETRY_MS;
    if (same) withheld.push({ action, refusal: r });
    else send.push(action);
  }
  return { send, withheld };
}

/** Pure: the refusals after a round of writes: new refusals remembered, every other target sent forgotten. */
export function nextRefusals(
  refused: ReadonlyMap<string, Refusal>,
  sent: readonly CeilingAction[],
  failures: readonly { action: CeilingAction; error: unknown }[],
  at: { generation: number | undefined; nowMs: number },
): Map<string, Refusal> {
  const next = new Map(refused);
  for (const action of sent) next.delete(action.target);
  for (const f of failures) {
    if (isRefusal(f.error)) next.set(f.action.target, { fingerprint: fingerprintOf(f.action, at.generation), error: f.error, atMs: at.nowMs });
  }
  return next;
}

/** The refused writes of every guard, by guard key; forgotten when the guard goes. */
export class RefusedWrites {
  private readonly byGuard = new Map<string, Map<string, Refusal>>();

  of(guard: string): ReadonlyMap<string, Refusal> {
    return this.byGuard.get(guard) ?? new Map();
  }

  set(guard: string, refused: Map<string, Refusal>): void {
    if (refused.size) this.byGuard.set(guard, refused);
    else this.byGuard.delete(guard);
  }

  forget(guard: string): void {
    this.byGuard.delete(guard);
  }
}
