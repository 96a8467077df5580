import assert from 'node:assert/strict';
import type { CostGuard, Hold } from '../../../src/api/v1alpha1/index.ts';
import { decideBreaker, fleetState, tally, type Tally } from '../../../src/controllers/breaker/decide.ts';
import { ExpositionError, samplesOf } from '../../../src/controllers/breaker/prom-text.ts';
import type { PodReading } from '../../../src/controllers/breaker/scrape.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const EARLIER = '2026-03-01T11:00:00Z';

describe('samplesOf (Prometheus text format)', () => {
  const text = [
    '# HELP costguard_worker_breaker_state Breaker state: 0 closed, 1 half-open, 2 open.',
    '# TYPE costguard_worker_breaker_state gauge',
    'costguard_worker_breaker_state{breaker="payments"} 2',
    'costguard_worker_breaker_state{breaker="ledger",pod="a"} 0 1700000000000',
    'costguard_worker_breaker_state_extra{breaker="x"} 9',
    'costguard_worker_in_flight 3',
    '',
  ].join('\n');

  it('reads the samples of one metric with their labels, ignoring others and timestamps', () => {
    assert.deepEqual(samplesOf(text, 'costguard_worker_breaker_state'), [
      { labels: { breaker: 'payments' }, value: 2 },
      { labels: { breaker: 'ledger', pod: 'a' }, value: 0 },
    ]);
    assert.deepEqual(samplesOf(text, 'costguard_worker_in_flight'), [{ labels: {}, value: 3 }]);
    assert.deepEqual(samplesOf(text, 'absent_metric'), []);
  });

  it('unescapes label values with quotes, commas, braces and backslashes', () => {
    const line = String.raw`m{a="say \"hi\", {ok}",b="c:\\d",c="two\nlines", } 1.5e2`;
    assert.deepEqual(samplesOf(line, 'm'), [{ labels: { a: 'say "hi", {ok}', b: 'c:\\d', c: 'two\nlines' }, value: 150 }]);
  });

  it('reads NaN and infinities, and CRLF line ends', () => {
    const values = samplesOf('m NaN\r\nm +Inf\r\nm -Inf\r\n', 'm').map((s) => s.value);
    assert.ok(Number.isNaN(values[0]));
    assert.deepEqual(values.slice(1), [Infinity, -Infinity]);
  });

  it('rejects malformed lines of the metric it reads', () => {
    for (const bad of ['m{a="x} 1', 'm{a=x} 1', 'm{a="x"', 'm{a="x"} one', 'm', 'm{="x"} 1', 'm 1 2 3']) {
      assert.throws(() => samplesOf(bad, 'm'), ExpositionError, bad);
    }
    assert.throws(() => samplesOf('{a="b"} 1', 'm'), ExpositionError, 'a line without a metric name');
  });
});

describe('fleetState (the quorum)', () => {
  const t = (replicas: number, open: number, halfOpen = 0, unknown = 0): Tally => ({ replicas, open, halfOpen, unknown });
  const cases: { tally: Tally; percent: number; want: string; why: string }[] = [
    { tally: t(10, 5), percent: 50, want: 'Open', why: 'exactly at the quorum' },
    { tally: t(10, 4), percent: 50, want: 'Closed', why: 'one short, all reachable' },
    { tally: t(10, 3, 2), percent: 50, want: 'HalfOpen', why: 'open + half-open reach it' },
    { tally: t(10, 4, 0, 1), percent: 50, want: 'Unknown', why: 'the unreachable pod could be the fifth open one' },
    { tally: t(10, 2, 0, 2), percent: 50, want: 'Closed', why: 'even all unknowns open would not reach it' },
    { tally: t(10, 5, 0, 5), percent: 50, want: 'Open', why: 'reached by the pods that answered, whatever the others say' },
    { tally: t(3, 0, 0, 3), percent: 50, want: 'Unknown', why: 'nothing answered' },
    { tally: t(0, 0), percent: 50, want: 'Closed', why: 'no pods, no breakers' },
    { tally: t(1, 1), percent: 100, want: 'Open', why: 'a single replica' },
    { tally: t(3, 1), percent: 34, want: 'Closed', why: '33.3% < 34%' },
    { tally: t(3, 1), percent: 33, want: 'Open', why: '33.3% ≥ 33%' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.tally)} at ${c.percent}% → ${c.want} (${c.why})`, () => assert.equal(fleetState(c.tally, c.percent), c.want));
  }

  it('tallies a pod by its worst breaker, and an unreachable pod as unknown', () => {
    const readings: PodReading[] = [
      { pod: 'a', state: 2, breakers: 2 },
      { pod: 'b', state: 1, breakers: 1 },
      { pod: 'c', state: 0, breakers: 0 },
      { pod: 'd', error: 'connect ECONNREFUSED' },
    ];
    assert.deepEqual(tally(readings), { replicas: 4, open: 1, halfOpen: 1, unknown: 1 });
  });
});

describe('decideBreaker', () => {
  function guard(status: CostGuard['status'] = {}): CostGuard {
    return {
      apiVersion: 'costguard.io/v1alpha1',
      kind: 'CostGuard',
      metadata: { name: 'g', namespace: 'ns', uid: 'u', generation: 1 },
      spec: { mode: 'Enforce', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 30 }] },
      status: {
        scalingGroups: [{ name: 'asg-1', ceiling: 20, maxSize: 20, desired: 7, clamped: false }],
        workloads: [
          { kind: 'Deployment', name: 'w', ceiling: 30, replicas: 4, clamped: false },
          { kind: 'HorizontalPodAutoscaler', name: 'w', ceiling: 30, clamped: false },
        ],
        nodePools: [{ name: 'np', usage: { cpu: '40' }, clamped: false }],
        ...status,
      },
    } as CostGuard;
  }
  const pods = (open: number, closed: number, unknown = 0): PodReading[] => [
    ...Array.from({ length: open }, (_, i) => ({ pod: `open-${i}`, state: 2, breakers: 1 })),
    ...Array.from({ length: closed }, (_, i) => ({ pod: `closed-${i}`, state: 0, breakers: 1 })),
    ...Array.from({ length: unknown }, (_, i) => ({ pod: `gone-${i}`, error: 'no answer within 2000 ms' })),
  ];
  const input = (g: CostGuard, readings: PodReading[]) => ({ guard: g, workload: 'Deployment/w', readings, fleetOpenPercent: 50, nowMs: NOW });
  const caps = (holds: readonly Hold[]) => Object.fromEntries(holds.map((h) => [h.target, h.value ?? h.limits]));

  it('at the quorum: Open, BreakerOpen True, every observed target held at its current capacity', () => {
    const d = decideBreaker(input(guard(), pods(2, 2)));
    assert.equal(d.status.state, 'Open');
    assert.deepEqual([d.status.openReplicas, d.status.replicas], [2, 4]);
    assert.deepEqual([d.condition.status, d.condition.reason], ['True', 'FleetBreakerOpen']);
    assert.match(d.condition.message ?? '', /2 of 4 replicas of Deployment\/w have an open breaker/);
    assert.deepEqual(caps(d.holds), { 'asg/asg-1': 7, 'Deployment/w': 4, 'NodePool/np': { cpu: '40' } }, 'a target with no observed replicas is not held');
    assert.ok(d.holds.every((h) => h.owner === 'breaker' && h.since === '2026-03-01T12:00:00Z'));
    assert.equal(d.transition, 'opened');
  });

  it('below the quorum, all reachable: Closed, no holds, and the release is a transition', () => {
    const held: Hold[] = [{ owner: 'breaker', target: 'asg/asg-1', value: 5, reason: 'r', since: EARLIER }];
    const d = decideBreaker(input(guard({ breaker: { state: 'Open', openReplicas: 3, replicas: 4, since: EARLIER }, holds: held }), pods(1, 3)));
    assert.equal(d.status.state, 'Closed');
    assert.deepEqual([d.condition.status, d.condition.reason], ['False', 'FleetBreakerClosed']);
    assert.deepEqual(d.holds, []);
    assert.equal(d.transition, 'closed');
    assert.equal(d.status.since, '2026-03-01T12:00:00Z');
  });

  it('keeps a hold at the value it began with while the breaker stays open', () => {
    const held: Hold[] = [{ owner: 'breaker', target: 'asg/asg-1', value: 5, reason: 'r', since: EARLIER }];
    const d = decideBreaker(input(guard({ breaker: { state: 'Open', openReplicas: 3, replicas: 4, since: EARLIER }, holds: held }), pods(3, 1)));
    assert.equal(caps(d.holds)['asg/asg-1'], 5);
    assert.equal(d.holds.find((h) => h.target === 'asg/asg-1')?.since, EARLIER);
    assert.equal(d.status.since, EARLIER, 'since moves only when the state changes');
    assert.equal(d.transition, undefined);
  });

  it('counts unreachable pods as unknown: the state is Unknown and the holds stay as they were', () => {
    const held: Hold[] = [{ owner: 'breaker', target: 'asg/asg-1', value: 5, reason: 'r', since: EARLIER }];
    const d = decideBreaker(input(guard({ breaker: { state: 'Open', openReplicas: 3, replicas: 4, since: EARLIER }, holds: held }), pods(1, 1, 2)));
    assert.equal(d.status.state, 'Unknown');
    assert.equal(d.status.unknownReplicas, 2);
    assert.deepEqual(d.status.unreachable, ['gone-0: no answer within 2000 ms', 'gone-1: no answer within 2000 ms']);
    assert.deepEqual([d.condition.status, d.condition.reason], ['Unknown', 'ReplicasUnreachable']);
    assert.deepEqual(d.holds, held);
    assert.equal(d.transition, undefined);
  });

  it('never adds holds on Unknown when none were there', () => {
    const d = decideBreaker(input(guard(), pods(1, 1, 2)));
    assert.equal(d.status.state, 'Unknown', 'the case under test: two unreachable pods could reach the quorum');
    assert.deepEqual(d.holds, []);
    assert.equal(d.transition, undefined);
  });

  it('holds while HalfOpen (the workers are probing) and says so', () => {
    const readings: PodReading[] = [...pods(1, 2), { pod: 'probe', state: 1, breakers: 1 }];
    const d = decideBreaker(input(guard(), readings));
    assert.equal(d.status.state, 'HalfOpen');
    assert.deepEqual([d.condition.status, d.condition.reason], ['True', 'FleetBreakerHalfOpen']);
    assert.equal(d.holds.length, 3);
  });

  it('lists at most 10 unreachable pods', () => {
    const d = decideBreaker(input(guard(), pods(0, 0, 14)));
    assert.equal(d.status.unreachable?.length, 10);
    assert.equal(d.status.unknownReplicas, 14);
  });
});
