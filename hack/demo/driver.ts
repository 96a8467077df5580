// SIMULATED: AWS target tracking. moto stores Auto Scaling groups but runs no scaling
// policies, so the demo plays a target-tracking policy on the fleet's busy share (the CPU of
// the postmortem: slow jobs hold their slots, so CPU rises with latency, not with useful
// work). Like AWS it scales out quickly, scales in slowly and never sets the desired capacity
// above MaxSize — which is why a frozen MaxSize stops it.

export interface TrackingPolicy {
  /** The busy share the policy holds the fleet at. */
  target: number;
  /** Scale out when busy is above target × (1 + tolerance) for `scaleOutAfter` ticks (CloudWatch alarm datapoints). */
  tolerance: number;
  scaleOutAfter: number;
  /** At most this many instances per tick: new instances warm up before they count. */
  maxScaleOutStep: number;
  /** Scale in once busy has stayed below this for `scaleInAfter` ticks... */
  scaleInBelow: number;
  scaleInAfter: number;
  /** ...by at most this many instances per tick. */
  maxScaleInStep: number;
}

export const TRACKING: TrackingPolicy = { target: 0.5, tolerance: 0.1, scaleOutAfter: 2, maxScaleOutStep: 2, scaleInBelow: 0.4, scaleInAfter: 3, maxScaleInStep: 4 };

export interface GroupLimits {
  min: number;
  max: number;
  desired: number;
}

export interface TrackingDecision {
  desired: number;
  /** Consecutive ticks below the scale-in threshold (negative: above the scale-out one). */
  streak: number;
}

/** The desired capacity target tracking asks for after a tick with `busy` (0..1). Pure. */
export function trackTarget(policy: TrackingPolicy, group: GroupLimits, busy: number, streak: number): TrackingDecision {
  const wanted = Math.ceil((group.desired * busy) / policy.target);
  let desired = group.desired;
  let next = 0;
  if (busy > policy.target * (1 + policy.tolerance)) {
    next = Math.min(0, streak) - 1;
    if (-next >= policy.scaleOutAfter) desired = Math.min(group.desired + policy.maxScaleOutStep, Math.max(group.desired + 1, wanted));
  } else if (busy < policy.scaleInBelow) {
    next = Math.max(0, streak) + 1;
    if (next >= policy.scaleInAfter) desired = Math.max(group.desired - policy.maxScaleInStep, wanted);
  }
  return { desired: Math.max(group.min, Math.min(group.max, desired)), streak: next };
}
