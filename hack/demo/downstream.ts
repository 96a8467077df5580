// SIMULATED: the downstream service every job calls (a database-backed HTTP API in the
// postmortem). A real HTTP server on loopback whose latency grows with the calls it serves
// at once: up to `capacity` concurrent calls answer in `baseMs`; past that, latency grows
// with the square of the overload (queueing in the database). `slowdown(factor)` plays the
// incident's trigger, a dependency that turns slow for a while. The recorded scenarios' benign
// situations add heavier jobs (`weigh`) and calls answered with an error at once (`fail`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EvenShare, type DownstreamErrors } from './variation.ts';

export interface DownstreamModel {
  /** Calls served at base latency at once. */
  capacity: number;
  /** Latency of one call when not overloaded (ms, real time). */
  baseMs: number;
  /** Latency is never longer than this (ms). */
  maxMs: number;
}

/** Latency of a call that arrives while `inFlight` calls (itself included) are served. Pure. */
export function latencyMs(model: DownstreamModel, inFlight: number, slow: number): number {
  const overload = Math.max(1, inFlight / model.capacity);
  return Math.min(model.maxMs, model.baseMs * slow * overload * overload);
}

export class SimulatedDownstream {
  readonly model: DownstreamModel;
  url = '';
  inFlight = 0;
  /** Calls answered 200 since start (the client may have given up on some). */
  answered = 0;
  #slow = 1;
  #weight = 1;
  #errors: DownstreamErrors | undefined;
  readonly #failing = new EvenShare();
  #server: Server | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(model: DownstreamModel) {
    this.model = model;
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      req.resume();
      // Throttled or failing fast: answered at once, before any work (it holds no share).
      if (this.#errors && this.#failing.pick(this.#errors.share)) {
        res.writeHead(this.#errors.status, { 'content-type': 'text/plain' }).end('error');
        return;
      }
      this.inFlight += 1;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.inFlight -= 1;
      };
      const timer = setTimeout(() => {
        finish();
        this.answered += 1;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, latencyMs(this.model, this.inFlight, this.#slow * this.#weight));
      this.#timers.add(timer);
      // A caller that gave up (timeout) frees its share: the database cancels abandoned queries.
      res.on('close', finish);
    });
    this.#server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jobs`;
  }

  /** Multiplies every latency by `factor` from now on (1 = healthy). */
  slowdown(factor: number): void {
    this.#slow = factor;
  }

  /** Jobs that ask `weight` times as much of the downstream: every latency × weight (1 = the demo's jobs). */
  weigh(weight: number): void {
    this.#weight = weight;
  }

  /** Answers `errors.share` of the calls with `errors.status` at once from now on (undefined: none). */
  fail(errors: DownstreamErrors | undefined): void {
    this.#errors = errors;
  }

  /** The latency a call arriving now would see. */
  currentLatencyMs(): number {
    return latencyMs(this.model, this.inFlight + 1, this.#slow * this.#weight);
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
