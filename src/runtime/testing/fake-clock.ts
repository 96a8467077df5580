// A manual clock for tests: time moves only when the test says so, and due timers fire in
// order. `advance` lets the promise chains started by each timer settle before the next one
// fires, so async code under test behaves as it would with real time, only instantly.
import type { Clock, TimerHandle } from '../clock.ts';

interface FakeTimer {
  readonly __timer: true;
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise callbacks run (a macrotask hop, not a sleep). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: number | Date = Date.UTC(2025, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { __timer: true, at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer is due, or undefined when none is pending. */
  nextTimerIn(): number | undefined {
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    return next ? next.at - this.current : undefined;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.current = next.at;
      this.timers = this.timers.filter((t) => t !== next);
      next.fn();
      await flushPromises();
    }
    this.current = target;
    await flushPromises();
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
