// EC2 Auto Scaling target tracking as the EC2 Auto Scaling User Guide documents it, on a
// 1-minute metric (the average slot utilisation of the in-service instances past warm-up):
// - scale out when the metric is above target for `outPeriods` consecutive 1-minute
//   datapoints (the high alarm: 3 of 3 by default), to ceil(capacity × metric / target);
// - not again within `scaleOutCooldown` of the last scale-out;
// - launched instances are InService after `launchDelay` and count in the metric only after
//   `warmup` more seconds (instance warm-up);
// - scale in only after the metric stays below 90 % of target for 15 consecutive datapoints
//   (the low alarm), and never below minSize;
// - scheduled actions set the desired capacity at a given time, whatever the metric says.

export interface ScalingParams {
  target: number;
  outPeriods: number;
  inPeriods: number;
  scaleOutCooldown: number;
  launchDelay: number;
  warmup: number;
  minSize: number;
  maxSize: number;
  scheduled?: { at: number; desired: number }[];
}

/** AWS's documented scale-in alarm: 15 datapoints; below 90 % of target counts as low. */
export const SCALE_IN_PERIODS = 15;
export const SCALE_IN_SHARE = 0.9;

export type ScalingDecision = { kind: 'none' } | { kind: 'out' | 'in' | 'scheduled'; desired: number };

export class TargetTracking {
  private readonly history: number[] = [];
  private lastOut = -Infinity;

  private readonly p: ScalingParams;

  constructor(p: ScalingParams) {
    this.p = p;
  }

  /** One 1-minute datapoint at time t: the decision for a group of `desired` instances. */
  evaluate(t: number, metric: number | undefined, desired: number): ScalingDecision {
    const scheduled = this.p.scheduled?.find((s) => s.at > t - 60 && s.at <= t);
    if (scheduled) return { kind: 'scheduled', desired: Math.min(this.p.maxSize, Math.max(this.p.minSize, scheduled.desired)) };
    if (metric === undefined) return { kind: 'none' };
    this.history.push(metric);
    const recent = (n: number) => this.history.slice(-n);
    const high = recent(this.p.outPeriods).length === this.p.outPeriods && recent(this.p.outPeriods).every((m) => m > this.p.target);
    if (high && t - this.lastOut >= this.p.scaleOutCooldown) {
      const want = Math.min(this.p.maxSize, Math.ceil((desired * metric) / this.p.target));
      if (want > desired) {
        this.lastOut = t;
        return { kind: 'out', desired: want };
      }
    }
    const low = recent(this.p.inPeriods).length === this.p.inPeriods && recent(this.p.inPeriods).every((m) => m < SCALE_IN_SHARE * this.p.target);
    if (low && desired > this.p.minSize) {
      this.history.length = 0;
      return { kind: 'in', desired: Math.max(this.p.minSize, Math.ceil((desired * metric) / this.p.target)) };
    }
    return { kind: 'none' };
  }
}
