// The brake's decisions: engage, DryRun, Alert, Shed, hold, the stepped release, relapse,
// restart from status and standing down. Pure: (spec, verdict, prior status, observed, clock).
import assert from 'node:assert/strict';
import type { BrakeStatus, RunawaySpec } from '../../../src/api/v1alpha1/index.ts';
import { decideBrake, stepValue, type BrakeDecision, type BrakeInput } from '../../../src/controllers/runaway/brake-decide.ts';
import type { Verdict } from '../../../src/controllers/runaway/verdict.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const spec: RunawaySpec = { signals: { sqs: { queueUrl: 'http://moto:5000/123456789012/orders' } }, window: '30m', retryBudgetPercent: 10, action: 'Freeze', cooldown: '4m' };
const loop: Verdict = { state: 'runaway', score: 87, confidence: 1, healthy: false, retryKnown: true, signature: 'loop', changed: true, evidence: ['capacity 4→19 (+375 %) in 30m', 'receives/deletes 1.02→1.71', 'deletes per instance −62 %'] };
const healthy: Verdict = { state: 'normal', score: 5, confidence: 1, healthy: true, retryKnown: true, signature: 'none', changed: false, evidence: ['receives/deletes 1.01→1.02'] };
const observed = {
  scalingGroups: [{ name: 'orders-asg', ceiling: 40, maxSize: 40, desired: 12, clamped: false }],
  workloads: [
    { kind: 'Deployment' as const, name: 'orders', ceiling: 50, maxReplicas: 30, replicas: 18, clamped: false },
    { kind: 'HorizontalPodAutoscaler' as const, name: 'orders', ceiling: 50, maxReplicas: 50, replicas: 18, clamped: false },
  ],
  nodePools: [{ name: 'default', limits: { cpu: '400' }, usage: { cpu: '96' }, clamped: false }],
};

function input(over: Partial<BrakeInput> = {}): BrakeInput {
  return { spec, act: true, verdict: loop, prior: {}, observed, nowMs: T0, guardRef: { namespace: 'payments', name: 'orders' }, ...over };
}

const holdValues = (holds: { target: string; value?: number; limits?: unknown }[]) => Object.fromEntries(holds.map((h) => [h.target, h.value ?? h.limits]));

describe('runaway brake decisions', () => {
  it('Freeze pins every ceiling at current capacity, records the originals and fires the alert', () => {
    const d = decideBrake(input());
    assert.equal(d.runaway.state, 'Braking');
    assert.deepEqual(holdValues(d.holds), { 'asg/orders-asg': 12, 'Deployment/orders': 30, 'HorizontalPodAutoscaler/orders': 18, 'NodePool/default': { cpu: '96' } });
    assert.ok(d.holds.every((h) => h.owner === 'runaway' && h.since === '2026-01-01T00:00:00Z'));
    assert.equal(d.brake?.action, 'Freeze');
    assert.deepEqual(d.brake?.saved?.map((s) => [s.target, s.field, s.original, s.held]), [
      ['asg/orders-asg', 'MaxSize', '40', '12'],
      ['Deployment/orders', 'spec.replicas', '30', '30'],
      ['HorizontalPodAutoscaler/orders', 'maxReplicas', '50', '18'],
      ['NodePool/default', 'spec.limits', '{"cpu":"400"}', '{"cpu":"96"}'],
    ]);
    assert.equal(d.notify?.kind, 'fire');
    assert.match(d.notify.kind === 'fire' ? d.notify.alert.actions[0]! : '', /Froze asg\/orders-asg MaxSize 40→12/);
    assert.equal(d.event?.reason, 'BrakeEngaged');
  });

  it('DryRun writes no holds and no brake, and says what it would do', () => {
    const d = decideBrake(input({ act: false, notActingBecause: 'DryRun' }));
    assert.equal(d.runaway.state, 'Suspected');
    assert.deepEqual(d.holds, []);
    assert.equal(d.brake, undefined);
    assert.match(d.runaway.evidence!.at(-1)!, /^DryRun: would freeze asg\/orders-asg MaxSize 40→12, Deployment\/orders spec.replicas 30→30/);
    assert.equal(d.notify?.kind, 'fire');
  });

  it('action Alert only alerts', () => {
    const d = decideBrake(input({ spec: { ...spec, action: 'Alert' } }));
    assert.deepEqual(d.holds, []);
    assert.equal(d.brake, undefined);
    assert.equal(d.notify?.kind === 'fire' && d.notify.alert.actions[0], 'Alert only (runaway.action is Alert): nothing was held.');
  });

  it('Shed holds consumers at half while the fleet breaker is open, and the ASG at desired', () => {
    const d = decideBrake(input({ spec: { ...spec, action: 'Shed' }, observed: { ...observed, breaker: { state: 'Open', openReplicas: 15, replicas: 18 } } }));
    assert.deepEqual(holdValues(d.holds), { 'asg/orders-asg': 12, 'Deployment/orders': 15, 'HorizontalPodAutoscaler/orders': 9, 'NodePool/default': { cpu: '96' } });
    const closed = decideBrake(input({ spec: { ...spec, action: 'Shed' }, prior: { brake: d.brake! }, verdict: loop }));
    assert.equal(holdValues(closed.holds)['Deployment/orders'], 30);
  });

  it('keeps holding while signals are unhealthy, with the originals recorded at engagement (restart-safe)', () => {
    const engaged = decideBrake(input()).brake!;
    // After a restart the observed MaxSize is the clamped 12: the saved original stays 40.
    const clamped = { ...observed, scalingGroups: [{ ...observed.scalingGroups[0]!, maxSize: 12 }] };
    const d = decideBrake(input({ prior: { brake: engaged }, observed: clamped, nowMs: T0 + 600_000 }));
    assert.equal(d.runaway.state, 'Braking');
    assert.deepEqual(d.brake, engaged);
    assert.equal(holdValues(d.holds)['asg/orders-asg'], 12);
    // Level-triggered: while the brake holds, every decision ensures the incident is FIRING.
    assert.equal(d.notify?.kind, 'fire');
    assert.match(d.notify.kind === 'fire' ? d.notify.alert.actions[0]! : '', /^Froze asg\/orders-asg MaxSize 40→12/);
  });

  it('pins a freeze at current (resolved by the actuator at write time) and only Shed lowers on purpose', () => {
    const frozen = decideBrake(input());
    assert.ok(frozen.holds.every((h) => h.atCurrent === true), 'every freeze hold is at current');
    const shed = decideBrake(input({ spec: { ...spec, action: 'Shed' }, observed: { ...observed, breaker: { state: 'Open', openReplicas: 15, replicas: 18 } } }));
    const byTarget = Object.fromEntries(shed.holds.map((h) => [h.target, h.atCurrent]));
    assert.deepEqual(byTarget, { 'asg/orders-asg': true, 'Deployment/orders': undefined, 'HorizontalPodAutoscaler/orders': undefined, 'NodePool/default': true });
  });

  it('holds the release where it stands while retry data is missing, and never calls it healthy', () => {
    const engaged = decideBrake(input()).brake!;
    const stepping: BrakeStatus = { ...engaged, healthySince: '2026-01-01T00:01:00Z', releaseStep: 1, stepAt: '2026-01-01T00:05:00Z' };
    const blind: Verdict = { state: 'normal', score: 0, confidence: 0.4, healthy: false, retryKnown: false, signature: 'none', changed: false, evidence: ['not observed: SQS receives/deletes'] };
    let prior: BrakeStatus = stepping;
    for (const minutes of [6, 10, 30, 60]) {
      const d = decideBrake(input({ prior: { brake: prior }, verdict: blind, nowMs: T0 + minutes * 60_000 }));
      assert.equal(d.brake?.releaseStep, 1, `still at step 1 at minute ${minutes}`);
      assert.equal(d.runaway.state, 'Recovering');
      assert.equal(holdValues(d.holds)['asg/orders-asg'], 19);
      assert.match(d.runaway.evidence![0]!, /no retry data/);
      assert.equal(d.notify?.kind, 'fire');
      assert.equal(d.event?.reason, minutes === 6 ? 'BrakeReleasePaused' : undefined, 'one event when the countdown stops');
      prior = d.brake!;
    }
    // Data back and healthy: a new full cooldown before the next step.
    const back = decideBrake(input({ prior: { brake: prior }, verdict: healthy, nowMs: T0 + 61 * 60_000 }));
    assert.equal(back.brake?.releaseStep, 1);
    assert.equal(back.brake?.healthySince, '2026-01-01T01:01:00Z');
  });

  it('ensures RESOLVED only on signals known to be healthy', () => {
    const open = { runaway: { state: 'Suspected' as const, since: '2026-01-01T00:00:00Z' } };
    assert.equal(decideBrake(input({ verdict: { ...healthy, signature: 'insufficient', healthy: false, retryKnown: false }, prior: open })).notify, undefined);
    assert.equal(decideBrake(input({ verdict: { ...healthy, healthy: false, retryKnown: false }, prior: open })).notify, undefined);
    assert.equal(decideBrake(input({ verdict: healthy, prior: {} })).notify?.kind, 'resolve', 'Normal on healthy signals: RESOLVED ensured (a no-op when nothing fires)');
  });

  it('releases in steps after the cooldown of healthy signals, then lifts every hold and resolves', () => {
    let brake: BrakeStatus | undefined = decideBrake(input()).brake;
    const seen: [number, string, unknown][] = [];
    let last: BrakeDecision | undefined;
    for (const minutes of [1, 4, 5, 5.5, 6, 7, 8, 9]) {
      last = decideBrake(input({ prior: { brake, runaway: last?.runaway }, verdict: healthy, nowMs: T0 + minutes * 60_000 }));
      brake = last.brake;
      seen.push([minutes, last.runaway.state, holdValues(last.holds)['asg/orders-asg']]);
      if (!brake) break;
    }
    // Healthy from minute 1; cooldown 4m → first step at 5; then one step per minute (cooldown/4).
    assert.deepEqual(seen, [
      [1, 'Braking', 12],
      [4, 'Braking', 12],
      [5, 'Recovering', 19],
      [5.5, 'Recovering', 19],
      [6, 'Recovering', 26],
      [7, 'Recovering', 33],
      [8, 'Normal', undefined],
    ]);
    assert.ok(last);
    assert.deepEqual(last.holds, []);
    assert.equal(last.notify?.kind, 'resolve');
    assert.equal(last.event?.reason, 'BrakeReleased');
  });

  it('halts the release where it stands when trouble returns, and needs a new cooldown', () => {
    const engaged = decideBrake(input()).brake!;
    const stepping: BrakeStatus = { ...engaged, healthySince: '2026-01-01T00:01:00Z', releaseStep: 2, stepAt: '2026-01-01T00:06:00Z' };
    const d = decideBrake(input({ prior: { brake: stepping }, verdict: loop, nowMs: T0 + 390_000 }));
    assert.equal(d.runaway.state, 'Braking');
    assert.equal(d.brake?.healthySince, undefined);
    assert.equal(d.brake?.releaseStep, 2);
    assert.equal(holdValues(d.holds)['asg/orders-asg'], 26);
    assert.equal(d.event?.reason, 'BrakeReleaseHalted');
  });

  it('never counts an empty sample window as healthy (after a restart the detector starts over)', () => {
    const engaged = decideBrake(input()).brake!;
    const empty: Verdict = { ...healthy, signature: 'insufficient' };
    const d = decideBrake(input({ prior: { brake: { ...engaged, healthySince: '2026-01-01T00:00:00Z' } }, verdict: empty, nowMs: T0 + 3_600_000 }));
    assert.equal(d.runaway.state, 'Braking');
    assert.equal(d.brake?.releaseStep, undefined);
  });

  it('stands down at once when the guard switches to DryRun or to action Alert: FIRING while the loop goes on, RESOLVED once healthy', () => {
    const engaged = decideBrake(input()).brake!;
    for (const over of [{ act: false, notActingBecause: 'DryRun' }, { spec: { ...spec, action: 'Alert' as const } }]) {
      const d = decideBrake(input({ ...over, prior: { brake: engaged } }));
      assert.deepEqual(d.holds, []);
      assert.equal(d.brake, undefined);
      assert.equal(d.event?.reason, 'BrakeReleased');
      assert.equal(d.notify?.kind, 'fire');
      const calm = decideBrake(input({ ...over, verdict: healthy, prior: { brake: engaged } }));
      assert.equal(calm.notify?.kind, 'resolve');
    }
  });

  it('resolves an alert-only incident when the signature clears', () => {
    const d = decideBrake(input({ verdict: healthy, prior: { runaway: { state: 'Suspected', since: '2026-01-01T00:00:00Z' } } }));
    assert.equal(d.runaway.state, 'Normal');
    assert.equal(d.notify?.kind, 'resolve');
  });

  it('steps never exceed the original and never go below the held value', () => {
    for (const [original, held] of [[40, 12], [10, 10], [5, 9], [3, 1]] as const) {
      let prev = -Infinity;
      for (let step = 0; step < 4; step++) {
        const v = stepValue(original, held, step)!;
        assert.ok(v <= original && v >= Math.min(original, held) && v >= prev, `${original} ${held} ${step} ${v}`);
        prev = v;
      }
      assert.equal(stepValue(original, held, 4), undefined);
    }
  });
});
