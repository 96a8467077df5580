// Test doubles shared by the runtime unit tests: a scripted reconciler that records each call
// with the fake clock's time, and no-op services for the reconcile context.
import { Controller } from '../../../src/runtime/controller.ts';
import { KubeApiError, TerminalError } from '../../../src/runtime/errors.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { RuntimeMetrics } from '../../../src/runtime/metrics.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';
import type { EventRecorder } from '../../../src/runtime/events.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../../src/runtime/reconciler.ts';
import type { StatusWriter } from '../../../src/runtime/status.ts';

export type Step = 'ok' | 'error' | 'terminal' | 'conflict' | { requeueAfter: number } | { requeue: true } | { hold: Promise<void> };

export interface Call {
  key: string;
  at: number;
  ctx: ReconcileContext;
}

export class ScriptedReconciler implements Reconciler {
  readonly name = 'test';
  readonly calls: Call[] = [];
  active = 0;
  maxActive = 0;
  readonly activeKeys = new Set<string>();
  overlapped = false;
  private readonly clock: FakeClock;
  private readonly script = new Map<string, Step[]>();

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  /** The steps for a key, one per reconcile; after the last, 'ok'. */
  on(key: string, ...steps: Step[]): this {
    this.script.set(key, steps);
    return this;
  }

  callsFor(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    this.calls.push({ key, at: this.clock.now(), ctx });
    if (this.activeKeys.has(key)) this.overlapped = true;
    this.activeKeys.add(key);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.run(this.script.get(key)?.shift() ?? 'ok');
    } finally {
      this.active--;
      this.activeKeys.delete(key);
    }
  }

  private async run(step: Step): Promise<ReconcileResult | void> {
    if (step === 'ok') return;
    if (step === 'error') throw new Error('boom');
    if (step === 'terminal') throw new TerminalError('spec is invalid');
    if (step === 'conflict') throw new KubeApiError(409, 'the object has been modified');
    if ('hold' in step) return step.hold;
    return step;
  }
}

export const noEvents: EventRecorder = { publish: () => Promise.resolve('emitted') };
export const noStatus: StatusWriter = { update: (_r, current) => Promise.resolve({ written: false, object: current }) };

export function testController(opts: { concurrency?: number } = {}): { clock: FakeClock; reconciler: ScriptedReconciler; controller: Controller; metrics: RuntimeMetrics } {
  const clock = new FakeClock();
  const reconciler = new ScriptedReconciler(clock);
  const metrics = new RuntimeMetrics();
  const controller = new Controller({
    reconciler,
    clock,
    log: silentLogger(),
    services: { events: noEvents, status: noStatus },
    metrics,
    maxConcurrentReconciles: opts.concurrency ?? 1,
  });
  return { clock, reconciler, controller, metrics };
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export async function metricValue(metrics: RuntimeMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const all = await metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}
