// The service every job calls, as a client sees it: a finite connection pool shared by the
// fleet (a database's max_connections, a proxy's pool), a token-bucket rate limiter that
// answers 429, and calls whose latency grows with the calls in progress (contention). A call
// waits for a connection at most `acquireTimeout` and runs at most `callTimeout`; either limit
// fails the call. A failing call still held its worker's slot for as long as it waited.
import { type Calendar, logNormal } from './clock.ts';

export type CallOutcome = 'ok' | 'throttled' | 'timeout';

export interface DownstreamParams {
  poolSize: number;
  acquireTimeout: number;
  callTimeout: number;
  /** Mean service time of one call at time t with no contention, in seconds. */
  serviceTime: (t: number) => number;
  /** Calls in progress at which latency has doubled (latency × (1 + (active/knee)²)). */
  contentionKnee: (t: number) => number;
  /** Requests per second the rate limiter admits (Infinity: no limiter). */
  rateLimit: (t: number) => number;
  /** Share of calls that fail fast at time t (a blip of errors). */
  errorRate?: (t: number) => number;
}

interface Waiter {
  done: (outcome: CallOutcome) => void;
  started: boolean;
  settled: boolean;
}

export class Downstream {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private tokens: number;
  private lastRefill = 0;

  private readonly calendar: Calendar;
  private readonly p: DownstreamParams;
  private readonly rand: () => number;

  constructor(calendar: Calendar, p: DownstreamParams, rand: () => number) {
    this.calendar = calendar;
    this.p = p;
    this.rand = rand;
    this.tokens = p.rateLimit(0);
  }

  /** Calls currently holding a connection. */
  get inProgress(): number {
    return this.active;
  }

  call(done: (outcome: CallOutcome) => void): void {
    if (!this.admit()) {
      this.calendar.after(0.02, () => done('throttled'));
      return;
    }
    const w: Waiter = { done, started: false, settled: false };
    if (this.active < this.p.poolSize) return this.start(w);
    this.waiting.push(w);
    this.calendar.after(this.p.acquireTimeout, () => {
      if (!w.started) this.settle(w, 'timeout');
    });
  }

  /** Token bucket refilled at rateLimit(t) per second, one second of burst. */
  private admit(): boolean {
    const now = this.calendar.now;
    const rate = this.p.rateLimit(now);
    if (!Number.isFinite(rate)) return true;
    this.tokens = Math.min(rate, this.tokens + (now - this.lastRefill) * rate);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private start(w: Waiter): void {
    w.started = true;
    this.active++;
    const now = this.calendar.now;
    const contention = 1 + (this.active / this.p.contentionKnee(now)) ** 2;
    const service = logNormal(this.rand, this.p.serviceTime(now) * contention, 0.5);
    const failsFast = this.rand() < (this.p.errorRate?.(now) ?? 0);
    const held = failsFast ? 0.05 : Math.min(service, this.p.callTimeout);
    const outcome: CallOutcome = failsFast || service > this.p.callTimeout ? 'timeout' : 'ok';
    this.calendar.after(held, () => {
      this.active--;
      this.settle(w, outcome);
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length && this.active < this.p.poolSize) {
      const w = this.waiting.shift()!;
      if (!w.settled) return this.start(w);
    }
  }

  private settle(w: Waiter, outcome: CallOutcome): void {
    if (w.settled) return;
    w.settled = true;
    w.done(outcome);
  }
}
