// The labels of both trace families come from the cause, and the observer's degradations do
// what they say. A label must not move when the detector changes: it is computed from the
// scenario's degradedAt and the autoscaler's own scale-outs.
import assert from 'node:assert/strict';
import { desLabel, simulate } from '../../../hack/traces/des/render.ts';
import { DES_SCENARIOS } from '../../../hack/traces/des/scenarios.ts';
import { onsetFromCause, onsetSample, scaleOutsOf } from '../../../hack/traces/label.ts';
import { atResolution, observe } from '../../../hack/traces/observe.ts';
import type { Sample } from '../../../src/signals/sample.ts';

describe('trace labels: onset from the cause', () => {
  it('is the first scale-out at or after the degradation, not one before it', () => {
    assert.equal(onsetFromCause([600, 1300, 1900, 2500], 1800), 1900);
    assert.equal(onsetFromCause([600, 1300], 1800), undefined);
    assert.equal(onsetFromCause([2500, 1900], 1800), 1900);
  });

  it('is reported at the first sample that covers it', () => {
    assert.equal(onsetSample([30, 60, 90], 61), 90);
    assert.equal(onsetSample([30, 60, 90], 60), 60);
    assert.equal(onsetSample([30, 60, 90], 91), undefined);
  });

  it('reads scale-outs from rises of desired capacity only', () => {
    const xs: Sample[] = [{ t: 30, desired: 4 }, { t: 60, desired: 6 }, { t: 90 }, { t: 120, desired: 5 }, { t: 150, desired: 9 }];
    assert.deepEqual(scaleOutsOf(xs), [60, 150]);
  });

  it('labels a discrete-event loop at the first target-tracking scale-out after the downstream degraded', function () {
    this.timeout(30_000);
    const s = DES_SCENARIOS.find((x) => x.name === 'des-runaway-step')!;
    const run = simulate(s);
    const first = run.scaleOuts.find((x) => x.kind === 'out' && x.t >= s.degradedAt!)!;
    const onset = Number(/onset=(\d+)/.exec(desLabel(s, run))![1]);
    assert.ok(onset >= first.t && onset - first.t < s.params.interval, `onset ${onset}, scale-out at ${first.t}`);
    const before = run.samples.filter((x) => x.t < onset).at(-1)!;
    assert.ok(run.samples.find((x) => x.t === onset)!.desired! > before.desired!, 'desired rises at onset');
  });
});

const steady = (n: number): Sample[] => Array.from({ length: n }, (_, i) => ({ t: 30 * (i + 1), sqs_received: 100 + i, sqs_deleted: 100 + i, worker_attempts: 100, worker_retries: 0 }));

describe('the observer\'s view', () => {
  it('leaves the truth alone without an observation', () => {
    assert.deepEqual(observe(steady(5), undefined), steady(5));
  });

  it('empties about the asked share of cells, never t', () => {
    const seen = observe(steady(400), { seed: 3, missingShare: 0.2 });
    const cells = seen.flatMap((s) => ['sqs_received', 'sqs_deleted', 'worker_attempts', 'worker_retries'].map((k) => s[k as keyof Sample]));
    const missing = cells.filter((v) => v === undefined).length / cells.length;
    assert.ok(missing > 0.15 && missing < 0.25, String(missing));
    assert.ok(seen.every((s, i) => s.t === 30 * (i + 1)));
  });

  it('holds CloudWatch counters at the latest complete period, one period late', () => {
    const seen = atResolution(steady(20), 300);
    assert.equal(seen[8]!.sqs_received, undefined, 'before the first 300 s period completes');
    assert.equal(seen[9]!.sqs_received, Math.round((100 + 109) / 2), 'the mean of the first period, at its end');
    assert.equal(seen[12]!.sqs_received, seen[9]!.sqs_received, 'held until the next period completes');
    assert.equal(seen[12]!.worker_attempts, 100, 'worker counters are scraped, not CloudWatch');
  });

  it('applies the resolution and the late point to the counters it is told CloudWatch delivers', () => {
    const seen = observe(steady(20), { seed: 1, resolution: 300, delivered: ['worker_attempts'] });
    assert.equal(seen[8]!.worker_attempts, undefined, 'before the first 300 s period completes');
    assert.equal(seen[12]!.worker_attempts, seen[9]!.worker_attempts, 'held until the next period completes');
    assert.equal(seen[8]!.sqs_received, 108, 'SQS is then not delivered through CloudWatch here');
    const late = observe(steady(5), { seed: 1, latePointAt: 60, delivered: ['worker_attempts'] });
    assert.equal(late[1]!.worker_attempts, undefined);
    assert.equal(late[2]!.worker_attempts, 2 * steady(5)[2]!.worker_attempts!);
  });

  it('moves a late SQS datapoint into the next sample', () => {
    const seen = observe(steady(5), { seed: 1, latePointAt: 60 });
    assert.equal(seen[1]!.sqs_received, undefined);
    assert.equal(seen[2]!.sqs_received, 101 + 102);
  });

  it('shrinks the worker counters of the sample a pod restarted in', () => {
    const seen = observe(steady(5), { seed: 1, counterResetAt: 90 });
    assert.ok(seen[2]!.worker_attempts! < 20);
    assert.equal(seen[2]!.sqs_received, 102);
  });

  it('lets a second consumer raise SQS receives the workers never see', () => {
    const seen = observe(steady(5), { seed: 1, extraReceivesFrom: 90, extraReceivesShare: 0.4 });
    assert.equal(seen[1]!.sqs_received, 101);
    assert.equal(seen[2]!.sqs_received, Math.round(102 * 1.4));
    assert.equal(seen[2]!.worker_attempts, 100);
  });
});

describe('the recorded demo family', () => {
  it('turns the demo\'s minute records into samples a minute apart and labels onset at the first scale-out after the slowdown', async () => {
    const { labelOf, samplesOf, DEMO_SCENARIOS } = await import('../../../hack/traces/demo/record.ts');
    const tick = (t: number, desired: number) => ({ t, desired, maxSize: 16, busy: 0.5, attempts: 6, retries: t > 6 ? 4 : 0, successes: t > 6 ? 0 : 6, retryRatio: 0, sent: 6, received: 6 + t, deleted: t > 6 ? 0 : 6, visible: t, inFlight: 2, costPerHour: 1, downstreamMs: 500 });
    const samples = samplesOf([tick(0, 4), tick(5, 5), tick(6, 4), tick(7, 4), tick(8, 6), tick(9, 8)]);
    assert.deepEqual(samples.map((s) => s.t), [60, 360, 420, 480, 540, 600]);
    assert.deepEqual(samples[4], { t: 540, desired: 6, in_service: 6, sqs_sent: 6, sqs_received: 14, sqs_deleted: 0, sqs_visible: 8, sqs_not_visible: 2, worker_attempts: 6, worker_retries: 4, worker_successes: 0 });
    const slow = DEMO_SCENARIOS.find((s) => s.timing.slowMinutes > 0 && s.timing.onset === 6)!;
    assert.equal(labelOf(slow, samples), 'runaway onset=540', 'the rise at minute 5 came before the slowdown');
    assert.equal(labelOf(DEMO_SCENARIOS.find((s) => s.timing.slowMinutes === 0)!, samples), 'normal');
  });

  it('labels each scenario by its own kind: the hard negatives normal whatever their samples show, the loops from their slowdown', async () => {
    const { labelOf, samplesOf, DEMO_SCENARIOS } = await import('../../../hack/traces/demo/record.ts');
    const tick = (t: number, desired: number) => ({ t, desired, maxSize: 16, busy: 0.5, attempts: 6, retries: t > 10 ? 4 : 0, successes: 6, retryRatio: 0, sent: 6, received: 6, deleted: 6, visible: 0, inFlight: 2, costPerHour: 1, downstreamMs: 500 });
    const samples = samplesOf([tick(8, 4), tick(9, 4), tick(10, 10), tick(11, 10)]);
    const normals = DEMO_SCENARIOS.filter((s) => s.kind === 'normal');
    assert.ok(normals.length >= 4);
    for (const s of normals) assert.equal(labelOf(s, samples), 'normal', s.name);
    for (const s of DEMO_SCENARIOS.filter((x) => x.kind === 'runaway')) assert.ok(s.timing.slowMinutes > 0 && s.variation === undefined, s.name);
  });
});
