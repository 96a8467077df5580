// The discrete-event family's parts, each against the contract it models: SQS's visibility
// timeout, receive count, receipt handles and redrive; the downstream's pool, timeouts and
// 429s; target tracking's alarms, cooldown and scale-in. Simulated time only: no sleeps.
import assert from 'node:assert/strict';
import { Calendar, seeded } from '../../../hack/traces/des/clock.ts';
import { type CallOutcome, Downstream, type DownstreamParams } from '../../../hack/traces/des/downstream.ts';
import { TargetTracking, type ScalingParams } from '../../../hack/traces/des/scaling.ts';
import { SqsQueue } from '../../../hack/traces/des/sqs.ts';

const queue = (maxReceiveCount = 3) => {
  const cal = new Calendar();
  return { cal, q: new SqsQueue(cal, 30, maxReceiveCount, seeded(1)) };
};

describe('discrete-event family: SQS queue', () => {
  it('hides a received message for the visibility timeout, then delivers it again with a higher receive count', () => {
    const { cal, q } = queue();
    q.send();
    const first = q.receive()!;
    assert.equal(first.message.receiveCount, 1);
    assert.equal(q.receive(), undefined, 'in flight: not visible');
    cal.runUntil(29.9);
    assert.equal(q.visibleCount, 0);
    cal.runUntil(30);
    assert.equal(q.visibleCount, 1);
    const second = q.receive()!;
    assert.equal(second.message.id, first.message.id);
    assert.equal(second.message.receiveCount, 2);
    assert.deepEqual([q.counters.sent, q.counters.received], [1, 2]);
  });

  it('refuses a delete with the receipt of an earlier receive, and accepts the latest', () => {
    const { cal, q } = queue();
    q.send();
    const first = q.receive()!;
    cal.runUntil(30);
    const second = q.receive()!;
    assert.equal(q.delete(first.message, first.receipt), false);
    assert.equal(q.delete(second.message, second.receipt), true);
    assert.equal(q.counters.deleted, 1);
    cal.runUntil(120);
    assert.equal(q.visibleCount, 0, 'a deleted message never comes back');
  });

  it('still deletes with the latest receipt after the timeout ran out, if nobody received it again', () => {
    const { cal, q } = queue();
    q.send();
    const r = q.receive()!;
    cal.runUntil(45);
    assert.equal(q.delete(r.message, r.receipt), true);
    assert.equal(q.receive(), undefined);
    assert.equal(q.inFlight, 0);
  });

  it('moves a message to the DLQ instead of delivering it past maxReceiveCount', () => {
    const { cal, q } = queue(3);
    q.send();
    for (let i = 1; i <= 3; i++) {
      assert.equal(q.receive()!.message.receiveCount, i);
      cal.runUntil(30 * i);
    }
    assert.equal(q.receive(), undefined);
    assert.deepEqual([q.counters.received, q.counters.dlqIn], [3, 1]);
  });
});

const downstream = (over: Partial<DownstreamParams>) => {
  const cal = new Calendar();
  const p: DownstreamParams = { poolSize: 2, acquireTimeout: 5, callTimeout: 60, serviceTime: () => 10, contentionKnee: () => 1e9, rateLimit: () => Infinity, ...over };
  const d = new Downstream(cal, p, seeded(2));
  const outcomes: [number, CallOutcome][] = [];
  const call = () => d.call((o) => outcomes.push([cal.now, o]));
  return { cal, call, outcomes };
};

describe('discrete-event family: downstream', () => {
  it('times out a caller that waits longer than acquireTimeout for one of the pool\'s connections', () => {
    const { cal, call, outcomes } = downstream({ serviceTime: () => 1000, callTimeout: 1000 });
    for (let i = 0; i < 3; i++) call();
    cal.runUntil(5);
    assert.deepEqual(outcomes, [[5, 'timeout']]);
  });

  it('answers 429 at once when the rate limiter has no token', () => {
    const { cal, call, outcomes } = downstream({ rateLimit: () => 1, poolSize: 10 });
    call();
    call();
    cal.runUntil(1);
    assert.deepEqual(outcomes.map((o) => o[1]), ['throttled']);
  });

  it('fails a call that runs past callTimeout, after callTimeout', () => {
    const { cal, call, outcomes } = downstream({ serviceTime: () => 500, callTimeout: 20 });
    call();
    cal.runUntil(100);
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]![1], 'timeout');
    assert.ok(outcomes[0]![0] <= 20);
  });
});

describe('discrete-event family: target tracking', () => {
  const params: ScalingParams = { target: 0.5, outPeriods: 3, inPeriods: 15, scaleOutCooldown: 300, launchDelay: 60, warmup: 120, minSize: 2, maxSize: 40 };

  it('scales out after three datapoints above target, to ceil(capacity × metric ÷ target), then waits out the cooldown', () => {
    const tt = new TargetTracking(params);
    assert.deepEqual([60, 120].map((t) => tt.evaluate(t, 0.9, 4).kind), ['none', 'none']);
    assert.deepEqual(tt.evaluate(180, 0.9, 4), { kind: 'out', desired: 8 });
    assert.equal(tt.evaluate(240, 0.9, 8).kind, 'none', 'within the 300 s cooldown');
    assert.deepEqual(tt.evaluate(480, 0.9, 8), { kind: 'out', desired: 15 });
  });

  it('scales in only after 15 datapoints below 90 % of target', () => {
    const tt = new TargetTracking(params);
    const kinds = Array.from({ length: 15 }, (_, i) => tt.evaluate(60 * (i + 1), 0.2, 10).kind);
    assert.deepEqual(kinds.slice(0, 14), Array(14).fill('none'));
    assert.equal(kinds[14], 'in');
    const justAbove = new TargetTracking(params);
    const held = Array.from({ length: 20 }, (_, i) => justAbove.evaluate(60 * (i + 1), 0.46, 10).kind);
    assert.ok(held.every((k) => k === 'none'), 'at 92 % of target nothing scales in');
  });

  it('applies a scheduled action whatever the metric says', () => {
    const tt = new TargetTracking({ ...params, scheduled: [{ at: 600, desired: 14 }] });
    assert.deepEqual(tt.evaluate(600, 0.1, 4), { kind: 'scheduled', desired: 14 });
  });
});
