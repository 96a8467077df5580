// The detector's rules on small hand-made windows: each leg of the signature, hysteresis,
// missing signals, and the evidence wording.
import assert from 'node:assert/strict';
import { assess } from '../../../src/controllers/runaway/detect.ts';
import { evaluate, INITIAL_MEMORY, type DetectorMemory } from '../../../src/controllers/runaway/verdict.ts';
import { replay } from '../../../src/controllers/runaway/replay.ts';
import type { Sample } from '../../../src/signals/sample.ts';

const opts = { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30 };

/** n steady samples every 30 s, then `loop` samples of the runaway signature. */
function series(steady: number, tail: (i: number) => Partial<Sample>, n: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < steady; i++) out.push({ t: 30 * (i + 1), desired: 4, sqs_received: 1020, sqs_deleted: 1000, worker_attempts: 1020, worker_retries: 20, dlq_in: 0 });
  for (let i = 0; i < n; i++) out.push({ t: 30 * (steady + i + 1), ...tail(i) });
  return out;
}

const loop = (i: number): Partial<Sample> => ({
  desired: 4 + 5 * (i + 1),
  sqs_received: 1000 + 200 * i,
  sqs_deleted: 800 - 50 * i,
  worker_attempts: 1000 + 200 * i,
  worker_retries: 200 + 150 * i,
  dlq_in: 3 * i,
});

describe('runaway detector', () => {
  it('calls capacity up, retries up past budget and throughput per instance down a loop', () => {
    const samples = series(10, loop, 3);
    const a = assess(samples, samples.at(-1)!.t, opts);
    assert.equal(a.signature, 'loop');
    assert.ok(a.score >= 60, String(a.score));
    assert.equal(a.confidence, 1);
  });

  it('does not call load growth with throughput rising with capacity a loop', () => {
    const samples = series(10, (i) => ({ desired: 4 + 4 * (i + 1), sqs_received: 1020 * (2 + i), sqs_deleted: 1000 * (2 + i), worker_attempts: 1020 * (2 + i), worker_retries: 20 * (2 + i) }), 4);
    assert.equal(assess(samples, samples.at(-1)!.t, opts).signature, 'none');
  });

  it('does not call retries within the budget a loop, even as capacity grows and throughput per instance falls', () => {
    const samples = series(10, (i) => ({ desired: 8 + 4 * i, sqs_received: 1080, sqs_deleted: 1000, worker_attempts: 1080, worker_retries: 80 }), 4);
    assert.equal(assess(samples, samples.at(-1)!.t, opts).signature, 'none');
  });

  it('calls retries and collapsing throughput without growth a downstream problem', () => {
    const samples = series(10, () => ({ desired: 4, sqs_received: 2000, sqs_deleted: 100, breaker_open_fraction: 0.9 }), 3);
    const a = assess(samples, samples.at(-1)!.t, opts);
    assert.equal(a.signature, 'downstream');
    assert.equal(a.healthy, false);
  });

  it('is not healthy while one retry source is confidently past budget, however the pooled share reads', () => {
    const samples = series(10, () => ({ desired: 4, sqs_received: 1000, sqs_deleted: 600, worker_attempts: 10000, worker_retries: 0 }), 3);
    const a = assess(samples, samples.at(-1)!.t, opts);
    assert.ok(a.figures.retryTo! <= 0.1, String(a.figures.retryTo));
    assert.equal(a.legs?.retries.state, 'disputed');
    assert.equal(a.healthy, false);
    assert.equal(a.retryKnown, true);
  });

  it('judges a fleet scaled up from zero against its running calm, not against the zero', () => {
    const fromZero = [...series(0, () => ({}), 0), ...Array.from({ length: 10 }, (_, i) => ({ t: 30 * (i + 1), desired: 0, sqs_received: 0, sqs_deleted: 0, worker_attempts: 0, worker_retries: 0 }))];
    const running = series(10, loop, 3).map((s) => ({ ...s, t: s.t + 300 }));
    const samples = [...fromZero, ...running];
    const a = assess(samples, samples.at(-1)!.t, opts);
    assert.equal(a.signature, 'loop');
    assert.equal(a.figures.capacityFrom, 4);
    const v = evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict;
    assert.match(v.evidence[0]!, /^capacity 4→19 \(\+375 %\)/);
  });

  it('waits for the minimum number of samples', () => {
    const samples = series(0, loop, 3);
    assert.equal(assess(samples, samples.at(-1)!.t, opts).signature, 'insufficient');
  });

  it('ignores samples after now and before the window (the clock is the caller\'s)', () => {
    const samples = series(10, loop, 3);
    assert.equal(assess(samples, 300, opts).signature, 'none');
    assert.equal(assess(samples, samples.at(-1)!.t + 3600, opts).signature, 'insufficient');
  });

  it('lowers confidence and the score, and says what is missing, when columns are absent', () => {
    const full = series(10, loop, 3);
    const sparse = full.map(({ t, desired, sqs_received, sqs_deleted }) => ({ t, ...(desired !== undefined ? { desired } : {}), ...(sqs_received !== undefined ? { sqs_received } : {}), ...(sqs_deleted !== undefined ? { sqs_deleted } : {}) }));
    const now = full.at(-1)!.t;
    const a = assess(full, now, opts);
    const b = assess(sparse, now, opts);
    assert.ok(b.confidence < a.confidence);
    assert.ok(b.score < a.score);
    const { verdict } = evaluate(INITIAL_MEMORY, sparse, now, opts);
    assert.match(verdict.evidence.join('\n'), /not observed: worker retries\/attempts, DLQ inflow \(confidence 83 %\)/);
  });

  it('needs as many evaluations in a row as it is told (the noise guard is the confidence bound; more is the caller\'s choice)', () => {
    const samples = series(10, loop, 4);
    const states = (confirmations: number) => {
      let memory: DetectorMemory = INITIAL_MEMORY;
      return [samples.at(-2)!.t, samples.at(-1)!.t].map((now) => {
        const step = evaluate(memory, samples, now, { ...opts, confirmations });
        memory = step.memory;
        return step.verdict.state;
      });
    };
    assert.deepEqual(states(2), ['normal', 'runaway']);
    assert.deepEqual(states(1), ['runaway', 'runaway']);
  });

  it('stays a runaway while retries stay past budget, and clears only after four healthy evaluations', () => {
    const hot = series(10, loop, 3);
    const cooling = [...hot];
    for (let i = 0; i < 6; i++) cooling.push({ t: hot.at(-1)!.t + 30 * (i + 1), desired: 19, sqs_received: 1010, sqs_deleted: 1000, worker_attempts: 1010, worker_retries: 10, dlq_in: 0 });
    const r = replay(cooling, opts);
    assert.deepEqual(r.changes.map((c) => c.verdict.state), ['runaway', 'normal']);
    assert.equal(r.changes[1]!.t - hot.at(-1)!.t, 4 * 30 + 30);
  });

  it('writes evidence in the words of the brief', () => {
    const samples: Sample[] = [];
    for (let i = 0; i <= 60; i++) {
      const late = i >= 58;
      samples.push({ t: 30 * i, desired: i < 2 ? 4 : late ? 19 : 10, sqs_received: late ? 1710 : 1020, sqs_deleted: 1000, in_service: i < 2 ? 4 : late ? 19 : 10 });
    }
    samples[59]!.sqs_deleted = 722;
    samples[60]!.sqs_deleted = 722;
    const { verdict } = evaluate(INITIAL_MEMORY, samples, 1800, opts);
    assert.equal(verdict.evidence[0], 'capacity 4→19 (+375 %) in 29m30s');
    assert.match(verdict.evidence[1]!, /^receives\/deletes 1\.02→2\.37$/);
    assert.match(verdict.evidence[2]!, /^deletes per instance −\d+ %$/);
  });

  describe('telling a loop from growth that only looks like one', () => {
    /** 40 calm samples at 4 instances, 600 jobs per sample, no retries; then `tail`. */
    const calmThen = (tail: (i: number) => Partial<Sample>, n: number): Sample[] => {
      const out: Sample[] = [];
      for (let i = 0; i < 40; i++) out.push({ t: 30 * (i + 1), desired: 4, sqs_sent: 600, sqs_received: 600 + (i % 3), sqs_deleted: 600 - (i % 3), worker_attempts: 600, worker_retries: 0, worker_successes: 600 - (i % 3) });
      for (let i = 0; i < n; i++) out.push({ t: 30 * (41 + i), ...tail(i) });
      return out;
    };
    const troubled = (i: number, desired: number): Partial<Sample> => ({ desired, sqs_sent: 600, sqs_received: 900 + 50 * i, sqs_deleted: 300, worker_attempts: 900 + 50 * i, worker_retries: 400, worker_successes: 300 });
    const lastEvidence = (samples: Sample[]) => evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict;

    it('calls capacity added while retries were already past budget, with no more work done, a loop', () => {
      const samples = calmThen((i) => troubled(i, i < 3 ? 4 : 8 + 2 * i), 8);
      assert.equal(assess(samples, samples.at(-1)!.t, opts).signature, 'loop');
    });

    it('does not call a scheduled step followed by a downstream blip a loop, and says why', () => {
      const samples = calmThen((i) => (i === 0 ? { desired: 14, sqs_sent: 600, sqs_received: 600, sqs_deleted: 600, worker_attempts: 600, worker_retries: 0, worker_successes: 600 } : troubled(i, 14)), 8);
      const v = lastEvidence(samples);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /capacity rose before any trouble showed/);
    });

    it('does not call growth that follows new messages a loop, retries or not', () => {
      const samples = calmThen((i) => ({ ...troubled(i, 4 + i), sqs_sent: 600 * (2 + i) }), 8);
      const v = lastEvidence(samples);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /new messages grew as much as capacity/);
    });

    it('does not call growth whose added capacity does more useful work a loop', () => {
      const samples = calmThen((i) => ({ ...troubled(i, i < 3 ? 4 : 8 + 2 * i), sqs_deleted: 1500, worker_successes: 1500 }), 8);
      const v = lastEvidence(samples);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /useful throughput rose with capacity/);
    });

    it('says when capacity grows with no more work done but retries are within budget: not yet told from growth', () => {
      const samples = calmThen((i) => ({ desired: 4 + 2 * i, sqs_sent: 600, sqs_received: 400, sqs_deleted: 400, worker_attempts: 400, worker_retries: 0, worker_successes: 400 }), 6);
      const v = lastEvidence(samples);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /not yet told from heavier jobs or a slower downstream/);
    });

    it('needs twice the evaluations and halves confidence when SQS and the workers disagree', () => {
      const samples = calmThen((i) => ({ ...troubled(i, i < 3 ? 4 : 8 + 2 * i), worker_retries: 0, worker_failures: 0 }), 8);
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.signature, 'loop');
      assert.equal(a.legs?.retries.state, 'disputed');
      assert.equal(a.confirmations, 2 * assess(calmThen((i) => troubled(i, i < 3 ? 4 : 8 + 2 * i), 8), samples.at(-1)!.t, opts).confirmations);
      assert.ok(a.confidence <= 0.5);
      assert.match(lastEvidence(samples).evidence.join('\n'), /sources disagree: SQS .* vs worker retries or failures\/attempts 0 %/);
      const r = replay(samples, opts);
      const agreeing = replay(calmThen((i) => troubled(i, i < 3 ? 4 : 8 + 2 * i), 8), opts);
      assert.ok(r.firstAlertT! > agreeing.firstAlertT!, `${r.firstAlertT} vs ${agreeing.firstAlertT}`);
    });

    it('does not wait on a disagreement about retries when the loop stands on what the added capacity returns', () => {
      // The fleet falls behind (fewer deletes, a growing queue), target tracking doubles it and
      // the added instances finish nothing more. SQS reads a quarter of receives as retries; the
      // workers report none.
      const calm = (i: number): Sample => ({ t: 30 * (i + 1), desired: 4, in_service: 4, sqs_sent: 600, sqs_received: 600 + (i % 3), sqs_deleted: 600 - (i % 3), sqs_visible: i % 2, worker_attempts: 600, worker_retries: 0, worker_successes: 600 - (i % 3) });
      const behind = (i: number): Sample => ({ t: 30 * (41 + i), desired: i < 2 ? 4 : 8, in_service: i < 4 ? 4 : 8, sqs_sent: 600, sqs_received: 600, sqs_deleted: 450, sqs_visible: 150 * (i + 1), worker_attempts: 450, worker_retries: 0, worker_successes: 450 });
      const samples = [...Array.from({ length: 40 }, (_, i) => calm(i)), ...Array.from({ length: 8 }, (_, i) => behind(i))];
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.signature, 'loop');
      assert.equal(a.legs?.retries.state, 'disputed');
      assert.equal(a.legs?.addedIdle, true);
      assert.equal(a.confirmations, 1, 'the base number of evaluations: the verdict does not rest on retries');
      assert.ok(a.confidence <= 0.5, 'the disagreement still halves the confidence');
      assert.match(lastEvidence(samples).evidence.join('\n'), /sources disagree: .*does not rest on retries/);
    });

    it('does not call growth a loop on a retry share that stood past the budget before it and did not rise (a second consumer)', () => {
      // SQS alone (no worker metrics): a second consumer receives and never deletes 30 % of the
      // time, before and during growth; throughput holds, nothing waits.
      const standing = (i: number, desired: number): Sample => ({ t: 30 * (i + 1), desired, in_service: desired, sqs_sent: 1000, sqs_received: 1430 + (i % 3) * 5, sqs_deleted: 1000 + (i % 2) * 3 });
      const samples = [...Array.from({ length: 40 }, (_, i) => standing(i, 4)), ...Array.from({ length: 8 }, (_, i) => standing(40 + i, i < 2 ? 6 : 8))];
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.legs?.retries.state, 'over');
      assert.equal(a.legs?.retriesStanding, true);
      assert.equal(a.signature, 'none');
      assert.match(lastEvidence(samples).evidence.join('\n'), /stood there before the growth and has not risen with it/);
    });

    it('names the gaps it saw and never counts them as retries', () => {
      const samples = calmThen((i) => ({ desired: 4 + i, sqs_sent: 600 * (1 + i / 4), sqs_received: 600 * (1 + i / 4), ...(i % 2 ? {} : { sqs_deleted: 600 * (1 + i / 4) }), worker_attempts: 600, worker_retries: 0 }), 8);
      const v = lastEvidence(samples);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /gaps: sqs_deleted missing in 4 of \d+ samples/);
      assert.ok(v.confidence < 1);
    });

    it('without new messages observed, waits until the added capacity has served a sample before judging what it does', () => {
      const noDemand = (x: Partial<Sample>) => {
        const copy = { ...x };
        delete copy.sqs_sent;
        return copy;
      };
      const pending = calmThen((i) => noDemand({ ...troubled(i, i < 3 ? 4 : 8), in_service: 4 }), 8).map((x) => noDemand(x) as Sample);
      const v = lastEvidence(pending);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /not in service yet/);
      const served = calmThen((i) => noDemand({ ...troubled(i, i < 3 ? 4 : 8), in_service: i < 5 ? 4 : 8 }), 8).map((x) => noDemand(x) as Sample);
      assert.equal(lastEvidence(served).signature, 'loop');
    });

    it('without desired, counts a rise in service as an answer to trouble only if the trouble began a launch earlier', () => {
      const inService = (rise: number) =>
        calmThen((i) => ({ ...troubled(i, 0), in_service: i < rise ? 4 : 10 }), 10).map(({ desired: _, ...x }) => ({ ...x, in_service: x.in_service ?? 4 }));
      assert.equal(lastEvidence(inService(1)).signature, 'none', 'a rise 30 s after the trouble began was decided before it');
      assert.equal(lastEvidence(inService(6)).signature, 'loop');
    });

    it('does not call a storm of retries that is draining a loop, and says so', () => {
      const draining = calmThen((i) => (i < 4 ? troubled(i, 4 + 3 * i) : { ...troubled(0, 16), worker_retries: 400 - 90 * (i - 3), sqs_received: 900 - 140 * (i - 3) }), 7);
      const v = lastEvidence(draining);
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /the retry share is falling/);
    });
  });
});