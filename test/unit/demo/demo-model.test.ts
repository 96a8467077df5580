// The demo's pure parts: the simulated target tracking, the downstream's latency model, and
// the figures and chart data drawn from a run.
import assert from 'node:assert/strict';
import { latencyMs } from '../../../hack/demo/downstream.ts';
import { TRACKING, trackTarget } from '../../../hack/demo/driver.ts';
import { reportData } from '../../../hack/demo/report.ts';
import type { DemoResult } from '../../../hack/demo/run.ts';
import type { RunResult, Tick } from '../../../hack/demo/scenario.ts';
import { figuresOf, summaryText } from '../../../hack/demo/summary.ts';
import { during, EvenShare, ramp } from '../../../hack/demo/variation.ts';

describe('demo: simulated target tracking', () => {
  const group = { min: 4, max: 16, desired: 4 };

  it('scales out only after the CPU stayed above target, by at most the warm-up step', () => {
    const first = trackTarget(TRACKING, group, 1, 0);
    assert.deepEqual(first, { desired: 4, streak: -1 });
    const second = trackTarget(TRACKING, group, 1, first.streak);
    assert.equal(second.desired, 4 + TRACKING.maxScaleOutStep);
  });

  it('never asks for more than MaxSize (a frozen MaxSize stops it) and lowers a desired above it', () => {
    assert.equal(trackTarget(TRACKING, { min: 4, max: 8, desired: 8 }, 1, -5).desired, 8);
    assert.equal(trackTarget(TRACKING, { min: 4, max: 6, desired: 8 }, 0.5, 0).desired, 6);
  });

  it('scales in after several quiet minutes, never below MinSize', () => {
    let streak = 0;
    const desired: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = trackTarget(TRACKING, { min: 4, max: 16, desired: 12 }, 0.1, streak);
      streak = d.streak;
      desired.push(d.desired);
    }
    assert.deepEqual(desired, [12, 12, 12 - TRACKING.maxScaleInStep, 12 - TRACKING.maxScaleInStep]);
    assert.equal(trackTarget(TRACKING, { min: 4, max: 16, desired: 5 }, 0, 10).desired, 4);
  });

  it('holds in the band between the thresholds', () => {
    assert.deepEqual(trackTarget(TRACKING, group, 0.45, 2), { desired: 4, streak: 0 });
  });
});

describe('demo: simulated downstream latency', () => {
  const model = { capacity: 6, baseMs: 500, maxMs: 20_000 };

  it('is the base latency up to capacity, then grows with the square of the overload', () => {
    assert.equal(latencyMs(model, 1, 1), 500);
    assert.equal(latencyMs(model, 6, 1), 500);
    assert.equal(latencyMs(model, 12, 1), 2000);
    assert.equal(latencyMs(model, 6, 4), 2000);
    assert.equal(latencyMs(model, 600, 1), 20_000);
  });
});

describe('demo: the recorded scenarios\' variations', () => {
  it('holds a value for a window of minutes and ramps linearly between two', () => {
    const crowd = during(8, 3, 18, 6);
    assert.deepEqual([7, 8, 10, 11].map(crowd), [6, 18, 18, 6]);
    const heavier = ramp(8, 10, 1, 2);
    assert.deepEqual([0, 8, 13, 18, 30].map(heavier), [1, 1, 1.5, 2, 2]);
  });

  it('picks a share of the calls evenly and the same way every run', () => {
    const picks = (share: number) => {
      const even = new EvenShare();
      return Array.from({ length: 8 }, () => even.pick(share));
    };
    assert.deepEqual(picks(0.25), [false, false, false, true, false, false, false, true]);
    assert.equal(picks(0.6).filter(Boolean).length, 4);
    assert.deepEqual(picks(0.6), picks(0.6));
    assert.ok(!picks(0).some(Boolean));
  });
});

function tick(t: number, desired: number, retries = 0): Tick {
  return { t, desired, maxSize: 16, busy: 0.3, attempts: 10, retries, successes: 10 - retries, retryRatio: retries / 10, sent: 10, received: 10, deleted: 10 - retries, visible: 0, inFlight: 2, costPerHour: desired * 0.096, downstreamMs: 500 };
}

function run(label: 'guarded' | 'unguarded', ticks: Tick[], extra: Partial<RunResult> = {}): RunResult {
  const cost = ticks.reduce((a, k) => a + k.costPerHour / 60, 0);
  return {
    label,
    timing: { ticks: ticks.length, onset: 2, slowMinutes: 2, tickMs: 1000 },
    ticks,
    totals: { attempts: 60, retries: 20, successes: 40, failures: 20, received: 60, deleted: 40, parked: 0 },
    cost,
    normalCost: (4 * 0.096 * ticks.length) / 60,
    peakInstances: Math.max(...ticks.map((k) => k.desired)),
    startedAt: 1_000_000,
    ...extra,
  };
}

describe('demo: figures, summary and chart data', () => {
  const result: DemoResult = {
    unguarded: run('unguarded', [tick(0, 4), tick(1, 4), tick(2, 8, 5), tick(3, 16, 9), tick(4, 16, 10), tick(5, 16, 10)]),
    guarded: run('guarded', [tick(0, 4), tick(1, 4), tick(2, 6, 5), tick(3, 6, 0), tick(4, 4), tick(5, 4)], { detectedAt: 3, brakeAt: 3 }),
    slack: [{ minute: 3.4, text: 'FIRING: Runaway feedback loop suspected on ns/g (score 93)' }],
  };

  it('measures onset → brake and onset → Slack, and the cost against the normal bill', () => {
    const f = figuresOf(result);
    assert.equal(f.onsetToClampMinutes, 1);
    assert.equal(f.onsetToSlackMinutes, 1.4);
    assert.equal(f.unguardedRatio, 2.67);
    assert.equal(f.guardedRatio, 1.17);
    assert.equal(f.costRatio, 0.44);
    const text = summaryText(result);
    assert.match(text, /brake engaged at minute 3 \(1 min after onset\)/);
    assert.match(text, /minute {2}3\.4 {2}FIRING: Runaway/);
  });

  it('puts both runs on one minute axis with the onset, detection and brake marked', () => {
    const d = reportData(result);
    assert.deepEqual(d.minutes, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(d.charts.map((c) => c.id), ['capacity', 'retries', 'cost']);
    assert.deepEqual(d.charts[0]!.unguarded, [4, 4, 8, 16, 16, 16]);
    assert.deepEqual(d.charts[1]!.guarded, [0, 0, 50, 0, 0, 0]);
    assert.deepEqual(d.marks.map((m) => [m.minute, m.label]), [[2, 'downstream slows (onset)'], [3, 'loop detected'], [3, 'brake: Freeze']]);
  });
});
