// The runaway controller's pure parts: its conditions, the steady status rule, the bounded store.
import assert from 'node:assert/strict';
import { runawayConditions } from '../../../src/controllers/runaway/conditions.ts';
import { steady } from '../../../src/controllers/runaway/controller.ts';
import { MAX_SAMPLES, SampleStore } from '../../../src/controllers/runaway/store.ts';
import type { Verdict } from '../../../src/controllers/runaway/verdict.ts';

const verdict: Verdict = { state: 'normal', score: 3, confidence: 1, healthy: true, retryKnown: true, signature: 'none', changed: false, evidence: [] };
const base = { verdict, sources: ['capacity', 'sqs', 'cloudwatch'], failures: [], intervalText: '30s' };
const byType = (cs: ReturnType<typeof runawayConditions>) => Object.fromEntries(cs.map((c) => [c.type, c]));

describe('runaway controller parts', () => {
  it('RunawayWatched: Watching, SignalsDegraded with the failing source, SignalsUnavailable without any retry signal', () => {
    const runaway = { state: 'Normal' as const, score: 3 };
    assert.equal(byType(runawayConditions({ ...base, runaway })).RunawayWatched?.reason, 'Watching');
    const degraded = byType(runawayConditions({ ...base, runaway, failures: [{ source: 'sqs', message: 'AccessDenied' }] })).RunawayWatched;
    assert.deepEqual([degraded?.status, degraded?.reason], ['True', 'SignalsDegraded']);
    assert.match(degraded?.message ?? '', /sqs: AccessDenied/);
    const none = byType(runawayConditions({ ...base, runaway, failures: [{ source: 'sqs', message: 'x' }, { source: 'cloudwatch', message: 'y' }] })).RunawayWatched;
    assert.deepEqual([none?.status, none?.reason], ['False', 'SignalsUnavailable']);
  });

  it('missing retry data is neither health nor a loop: RunawayWatched False and RunawaySuspected Unknown, naming the failing source', () => {
    const blind = { ...verdict, healthy: false, retryKnown: false };
    const failures = [{ source: 'cloudwatch', message: 'GetMetricData: connect ECONNREFUSED 127.0.0.1:4566' }];
    const c = byType(runawayConditions({ ...base, verdict: blind, failures, runaway: { state: 'Normal', score: 0 } }));
    assert.deepEqual([c.RunawayWatched?.status, c.RunawayWatched?.reason], ['False', 'RetrySignalsMissing']);
    assert.match(c.RunawayWatched?.message ?? '', /cloudwatch: GetMetricData: connect ECONNREFUSED/);
    assert.deepEqual([c.RunawaySuspected?.status, c.RunawaySuspected?.reason], ['Unknown', 'SignalsFailing']);
    const quiet = byType(runawayConditions({ ...base, verdict: blind, runaway: { state: 'Normal', score: 0 } }));
    assert.deepEqual([quiet.RunawaySuspected?.status, quiet.RunawaySuspected?.reason, quiet.RunawaySuspected?.message], ['Unknown', 'RetrySignalsMissing', 'Cannot tell (no retry share in the recent samples).']);
    const starting = byType(runawayConditions({ ...base, verdict: { ...blind, signature: 'insufficient' }, runaway: { state: 'Normal', score: 0 } }));
    assert.equal(starting.RunawaySuspected?.reason, 'InsufficientSamples', 'a new window is not yet blind');
  });

  it('RunawaySuspected and BrakeEngaged follow the state, DryRun and downstream', () => {
    const suspected = byType(runawayConditions({ ...base, runaway: { state: 'Suspected', score: 80, evidence: ['capacity 4→19 (+375 %) in 30m'] }, notActingBecause: 'DryRun' }));
    assert.deepEqual([suspected.RunawaySuspected?.status, suspected.RunawaySuspected?.reason], ['True', 'FeedbackLoop']);
    assert.deepEqual([suspected.BrakeEngaged?.status, suspected.BrakeEngaged?.reason], ['False', 'DryRun']);
    const down = byType(runawayConditions({ ...base, verdict: { ...verdict, state: 'downstream' }, runaway: { state: 'Normal', score: 40 } }));
    assert.equal(down.RunawaySuspected?.reason, 'DownstreamTrouble');
    const braking = byType(runawayConditions({ ...base, runaway: { state: 'Braking', score: 90 }, brake: { action: 'Freeze', engagedAt: '2026-01-01T00:00:00Z', reason: 'loop' } }));
    assert.deepEqual([braking.BrakeEngaged?.status, braking.BrakeEngaged?.reason], ['True', 'Frozen']);
  });

  it('a failing retry source makes RunawaySuspected Unknown with the source, its URL and the cause, not "NoLoop (score 0)"', () => {
    const failures = [{ source: 'prometheus', message: 'prometheus query to http://prometheus:9090/api/v1/query failed: fetch failed: connect ECONNREFUSED 10.0.0.7:9090' }];
    const evidence = ['not observed: throughput (sqs_deleted/worker_successes), SQS receives/deletes, worker retries/attempts, DLQ inflow (confidence 40 %)'];
    const c = byType(runawayConditions({ ...base, sources: ['capacity', 'prometheus'], failures, runaway: { state: 'Normal', score: 0, evidence } }));
    assert.equal(c.RunawaySuspected?.status, 'Unknown');
    assert.equal(c.RunawaySuspected?.reason, 'SignalsFailing');
    assert.equal(
      c.RunawaySuspected?.message,
      `Cannot tell (failing: prometheus: prometheus query to http://prometheus:9090/api/v1/query failed: fetch failed: connect ECONNREFUSED 10.0.0.7:9090). ${evidence[0]}`,
    );
  });

  it('no useful throughput in the window: RunawaySuspected Unknown (ThroughputMissing), not NoLoop', () => {
    const c = byType(runawayConditions({ ...base, verdict: { ...verdict, throughputKnown: false }, runaway: { state: 'Normal', score: 0 } }));
    assert.deepEqual([c.RunawaySuspected?.status, c.RunawaySuspected?.reason], ['Unknown', 'ThroughputMissing']);
    const seen = byType(runawayConditions({ ...base, verdict: { ...verdict, throughputKnown: true }, runaway: { state: 'Normal', score: 0 } }));
    assert.deepEqual([seen.RunawaySuspected?.status, seen.RunawaySuspected?.reason], ['False', 'NoLoop']);
  });

  it('DownstreamTrouble says "downstream problem" once', () => {
    const evidence = ['downstream problem, not a feedback loop: retries rise without added capacity', 'receives/deletes 1.02→1.71'];
    const c = byType(runawayConditions({ ...base, verdict: { ...verdict, state: 'downstream' }, runaway: { state: 'Normal', score: 40, evidence } }));
    assert.equal(c.RunawaySuspected?.message, 'Retries past budget without added capacity: a downstream problem, not a loop. receives/deletes 1.02→1.71');
  });

  it('keeps the prior runaway status only while the state holds, the score moves less than 10 and the evidence differs in durations alone', () => {
    const prior = { state: 'Normal' as const, score: 5, evidence: ['capacity 4→4 (+0 %) in 29m'] };
    assert.equal(steady(prior, { state: 'Normal', score: 9, evidence: ['capacity 4→4 (+0 %) in 29m30s'] }), prior);
    // What was seen changed (a source went dark): the last sample's evidence is written.
    const dark = { state: 'Normal' as const, score: 5, evidence: ['capacity 4→4 (+0 %) in 29m', 'not observed: throughput (sqs_deleted/worker_successes) (confidence 40 %)'] };
    assert.equal(steady(prior, dark), dark);
    assert.equal(steady(prior, { state: 'Normal', score: 5, evidence: ['capacity 4→5 (+25 %) in 29m'] }).evidence?.[0], 'capacity 4→5 (+25 %) in 29m');
    assert.equal(steady(prior, { state: 'Normal', score: 15 }).score, 15);
    assert.equal(steady(prior, { state: 'Suspected', score: 6 }).state, 'Suspected');
  });

  it('keeps one window of samples per guard, at most MAX_SAMPLES', () => {
    const store = new SampleStore();
    const entry = store.entry('ns/g', 'spec', () => []);
    for (let t = 1; t <= 100; t++) SampleStore.push(entry, { t }, 30);
    assert.deepEqual(entry.samples.map((s) => s.t), Array.from({ length: 30 }, (_, i) => 71 + i));
    const wide = store.entry('ns/g', 'other spec', () => []);
    assert.equal(wide.samples.length, 0, 'a changed signal spec starts a new series');
    for (let t = 1; t <= MAX_SAMPLES + 10; t++) SampleStore.push(wide, { t }, 1e9);
    assert.equal(wide.samples.length, MAX_SAMPLES);
  });
});

describe('runaway status writes', () => {
  it('skips the write when its own fields and conditions would not change', async () => {
    const { unchanged } = await import('../../../src/controllers/runaway/controller.ts');
    const runaway = { state: 'Normal' as const, score: 3 };
    const inputs = [{ type: 'RunawayWatched', status: 'True' as const, reason: 'Watching', message: 'm' }];
    const prior = { runaway, conditions: [{ type: 'RunawayWatched', status: 'True' as const, reason: 'Watching', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' }, { type: 'Ready', status: 'True' as const, reason: 'Ready', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    assert.equal(unchanged(prior, { runaway, brake: undefined, holds: undefined, inputs }), true);
    assert.equal(unchanged(prior, { runaway: { ...runaway, state: 'Suspected' }, brake: undefined, holds: undefined, inputs }), false);
    assert.equal(unchanged(prior, { runaway, brake: undefined, holds: undefined, inputs: [{ ...inputs[0]!, reason: 'SignalsDegraded' }] }), false);
    assert.equal(unchanged(prior, { runaway, brake: undefined, holds: [{ owner: 'runaway', target: 'asg/a', value: 3, reason: 'r', since: '2026-01-01T00:00:00Z' }], inputs }), false);
  });
});
