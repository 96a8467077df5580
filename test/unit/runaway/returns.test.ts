// What added capacity returns (returns.ts): the legs that tell a loop before its retries reach
// the budget, each on hand-made windows, with the cases that must not count.
import assert from 'node:assert/strict';
import { assess } from '../../../src/controllers/runaway/detect.ts';
import { addedIdle, addedReturn, addedWasted, retriesRising, retriesStanding, servedByAdded, throughputFell, workWaiting } from '../../../src/controllers/runaway/returns.ts';
import { evaluate, INITIAL_MEMORY } from '../../../src/controllers/runaway/verdict.ts';
import { throughputNoise } from '../../../src/controllers/runaway/window.ts';
import type { Sample } from '../../../src/signals/sample.ts';

const Z = 2.326;
const opts = { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30 };
const at = (i: number, s: Partial<Sample>): Sample => ({ t: 30 * (i + 1), ...s });

describe('what added capacity returns', () => {
  describe('throughputFell', () => {
    const window = (now: number[], before = [600, 600]) => [...before.map((d, i) => at(i, { sqs_deleted: d })), ...now.map((d, i) => at(i + before.length, { sqs_deleted: d }))];

    it('is true when the recent intervals do clearly less than the smaller fleet did', () => {
      const w = window([450, 440]);
      assert.equal(throughputFell(w, 1, w.slice(-2), { cv: 0.03, z: Z }), true);
    });

    it('is false within the noise of the calm (its spread) or of a count (1/√level)', () => {
      const w = window([570, 565]);
      assert.equal(throughputFell(w, 1, w.slice(-2), { cv: 0.03, z: Z }), false, 'a 5 % dip against a 3 % spread');
      const small = window([7, 6], [10, 10]);
      assert.equal(throughputFell(small, 1, small.slice(-2), { cv: 0, z: Z }), false, '10 → 6.5 deletes is within a count of ten');
    });

    it('is unknown when a recent interval is missing: one interval against two is noise', () => {
      const w = [...window([450]), at(3, {})];
      assert.equal(throughputFell(w, 1, w.slice(-2), { cv: 0.03, z: Z }), undefined);
    });
  });

  describe('retriesRising', () => {
    const quiet = [0, 1, 2, 3].map((i) => at(i, { sqs_received: 600, sqs_deleted: 598, worker_attempts: 600, worker_retries: 1 }));

    it('is true when every observed source climbs beyond its counts and the calm noise', () => {
      const recent = [4, 5].map((i) => at(i, { sqs_received: 600, sqs_deleted: 560, worker_attempts: 600, worker_retries: 30 }));
      assert.equal(retriesRising(recent, quiet, 0.002, Z), true);
    });

    it('is false when one source climbs and the other does not: disagreement is not evidence', () => {
      const recent = [4, 5].map((i) => at(i, { sqs_received: 600, sqs_deleted: 560, worker_attempts: 600, worker_retries: 1 }));
      assert.equal(retriesRising(recent, quiet, 0.002, Z), false);
    });

    it('is unknown without a source on both sides, or with a recent gap in it', () => {
      assert.equal(retriesRising([at(4, { desired: 4 }), at(5, { desired: 4 })], quiet, 0, Z), undefined);
      const gappy = [at(4, { sqs_received: 600, sqs_deleted: 500 }), at(5, { sqs_received: 600 })];
      assert.equal(retriesRising(gappy, quiet, 0, Z), undefined);
    });
  });

  describe('retriesStanding', () => {
    // SQS reads (receives − deletes)/receives: 30 % with a second consumer receiving and not deleting.
    const sqs = (i: number, received: number): Sample => at(i, { sqs_received: received, sqs_deleted: 1000 });
    const quiet = [0, 1, 2, 3, 4, 5].map((i) => sqs(i, 1430 + (i % 2) * 10));
    const bound = { noise: 0.01, z: Z };

    it('is true when the source past the budget stood there in the calm too', () => {
      assert.equal(retriesStanding([sqs(6, 1440), sqs(7, 1425)], quiet, ['sqs'], bound), true);
    });

    it('is false when that source rose from its calm level, when none is past the budget, or when it cannot be compared', () => {
      assert.equal(retriesStanding([sqs(6, 2000), sqs(7, 2100)], quiet, ['sqs'], bound), false);
      assert.equal(retriesStanding([sqs(6, 1440), sqs(7, 1425)], quiet, [], bound), false);
      assert.equal(retriesStanding([sqs(6, 1440), at(7, {})], quiet, ['sqs'], bound), false, 'a recent gap: cannot tell');
    });
  });

  describe('addedIdle', () => {
    /** Four samples at 4 in service, then desired 7 with 7 in service from sample `from`. */
    const grow = (after: (i: number) => Partial<Sample>, from = 5, n = 3): Sample[] => [
      ...[0, 1, 2, 3].map((i) => at(i, { desired: 4, in_service: 4, sqs_deleted: 75, sqs_visible: 3000 })),
      ...Array.from({ length: n }, (_, k) => at(4 + k, { desired: 7, in_service: 4 + k >= from ? 7 : 4, sqs_deleted: 75, sqs_visible: 3000, ...after(k) })),
    ];
    const idle = (w: Sample[]) => addedIdle(addedReturn(w, 3, 2, { cv: 0.05, z: Z, minGrowth: 0.1, calm: w.slice(0, 4) }));

    it('is true when capacity in service does no more work than the smaller fleet while work waits', () => {
      assert.equal(idle(grow(() => ({ sqs_deleted: 78 }))), true);
    });

    it('is false when the added capacity adds work, or when no work is waiting', () => {
      assert.equal(idle(grow(() => ({ sqs_deleted: 130 }))), false);
      assert.equal(idle(grow(() => ({ sqs_deleted: 75, sqs_visible: 10 }))), false);
    });

    it('counts only intervals the added capacity served: one that came in service at the newest sample has shown nothing', () => {
      const w = grow(() => ({}), 6);
      assert.deepEqual(servedByAdded(w, 3, 2), []);
      assert.equal(idle(w), undefined);
      const unseen = grow(() => ({}), 5).map(({ in_service: _, ...s }) => s);
      assert.deepEqual(servedByAdded(unseen, 3, 2), [], 'no in_service column, no served interval');
    });

    it('does not count a sample up to the trough as served by added capacity: the fleet shrank to it', () => {
      const w = [...[0, 1, 2, 3].map((i) => at(i, { desired: 3, in_service: 3 })), at(4, { desired: 2, in_service: 2 }), at(5, { desired: 3, in_service: 2 })];
      assert.deepEqual(servedByAdded(w, 4, 2), [], 'the trough sample was served by the 3 before it shrank');
    });

    it('is unknown when a served interval lacks throughput (a gap is not idleness)', () => {
      const w = grow((k) => (k === 2 ? { sqs_deleted: undefined } : {}));
      assert.equal(idle(w), undefined);
    });

    it('reads the fleet before the growth from the last in-service count observed when the trough sample has a gap there', () => {
      const w = grow(() => ({ sqs_deleted: 78 }));
      delete w[3]!.in_service;
      assert.equal(idle(w), true, 'a gap at the trough is not "none in service"');
      assert.ok(servedByAdded(w, 3, 2).length > 0);
      delete w[2]!.in_service;
      delete w[1]!.in_service;
      delete w[0]!.in_service;
      assert.equal(idle(w), undefined, 'nothing in service observed before the growth: cannot tell');
    });

    it('reads waiting work from the queue, else from new messages against work done', () => {
      assert.equal(workWaiting([at(0, { sqs_deleted: 100, sqs_visible: 50 })], [], Z), false);
      assert.equal(workWaiting([at(0, { sqs_deleted: 100, sqs_visible: 150 })], [], Z), true, 'more than one interval of work queued');
      assert.equal(workWaiting([at(0, { sqs_deleted: 100, sqs_sent: 300 })], [], Z), true);
      assert.equal(workWaiting([at(0, { sqs_deleted: 100 })], [], Z), undefined);
    });

    it('counts a backlog forming where the calm kept the queue empty, beyond the calm depth\'s own spread', () => {
      const empty = [0, 1, 2, 3, 4, 5].map((i) => at(i, { sqs_deleted: 600, sqs_visible: 0 }));
      assert.equal(workWaiting([at(6, { sqs_deleted: 560, sqs_visible: 30 }), at(7, { sqs_deleted: 550, sqs_visible: 59 })], empty, Z), true);
      // A count's own noise: a handful of messages in transit over an empty calm is not a backlog.
      assert.equal(workWaiting([at(6, { sqs_deleted: 560, sqs_visible: 2 })], empty, Z), false);
      // A calm whose depth wanders between 0 and 40 hides a depth of 30.
      const wandering = [0, 40, 5, 35, 0, 40].map((v, i) => at(i, { sqs_deleted: 600, sqs_visible: v }));
      assert.equal(workWaiting([at(6, { sqs_deleted: 560, sqs_visible: 30 })], wandering, Z), false);
    });
  });

  describe('the loop told before its retries reach the budget', () => {
    /** 40 calm samples: 4 instances, 600 deletes, no retries; the downstream then slows (300) and the group grows. */
    const calmThen = (tail: (i: number) => Partial<Sample>, n: number): Sample[] => [
      ...Array.from({ length: 40 }, (_, i) => at(i, { desired: 4, in_service: 4, sqs_sent: 600, sqs_received: 600 + (i % 3), sqs_deleted: 600 - (i % 3), sqs_visible: 5, worker_attempts: 600, worker_retries: i % 2 })),
      ...Array.from({ length: n }, (_, i) => at(40 + i, { sqs_sent: 600, ...tail(i) })),
    ];
    const slowed = (i: number, inService: number, deletes: number, retries = 0): Partial<Sample> => ({
      desired: i < 2 ? 4 : 8,
      in_service: inService,
      sqs_received: deletes + retries,
      sqs_deleted: deletes,
      sqs_visible: 600 * (i + 1),
      worker_attempts: deletes + retries,
      worker_retries: retries,
    });

    it('calls added capacity that returns no work a loop, and says why; not healthy while it does, retries or not', () => {
      const samples = calmThen((i) => slowed(i, i < 4 ? 4 : 8, 300), 7);
      const v = evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict;
      assert.equal(v.signature, 'loop');
      assert.equal(v.healthy, false, 'retries within budget, but the added capacity is waste: the brake must not release');
      assert.equal(assess(samples, samples.at(-1)!.t, opts).legs?.retries.state, 'within');
      assert.match(v.evidence.join('\n'), /added capacity in service returned no more useful work than the smaller fleet did/);
    });

    it('calls less work as capacity comes into service, with retries climbing, a loop', () => {
      const samples = calmThen((i) => slowed(i, i < 4 ? 4 : 8, i < 4 ? 300 : 180, i < 4 ? 0 : 12), 7);
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.signature, 'loop');
      assert.equal(a.legs?.capacityHurts, true);
      assert.equal(a.legs?.retriesRising, true);
    });

    it('does not call the same growth a loop when the added capacity adds work (a heavier job mix)', () => {
      const samples = calmThen((i) => slowed(i, i < 4 ? 4 : 8, i < 4 ? 300 : 560), 7);
      const v = evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict;
      assert.equal(v.signature, 'none');
    });

    it('does not call it a loop while the added capacity has not served an interval yet, and says it cannot tell', () => {
      const samples = calmThen((i) => slowed(i, 4, 300), 7);
      const v = evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict;
      assert.equal(v.signature, 'none');
      assert.match(v.evidence.join('\n'), /not yet told from heavier jobs/);
    });
  });

  describe('a loop that starts from load', () => {
    /** 40 calm samples at 5 instances, 600 arriving and finished; then 950 arrive and the group grows. */
    const loadThen = (tail: (i: number) => Partial<Sample>, n: number): Sample[] => [
      ...Array.from({ length: 40 }, (_, i) => at(i, { desired: 5, in_service: 5, sqs_sent: 600 + (i % 3), sqs_received: 600, sqs_deleted: 600 - (i % 2), sqs_visible: 5, worker_attempts: 600, worker_retries: 0 })),
      ...Array.from({ length: n }, (_, i) => at(40 + i, { sqs_sent: 950, ...tail(i) })),
    ];
    const grown = (i: number, done: number): Partial<Sample> => ({
      desired: i < 2 ? 5 : 15,
      in_service: i < 4 ? 5 : 15,
      sqs_received: done,
      sqs_deleted: done,
      sqs_visible: 300 * (i + 1),
      worker_attempts: done,
      worker_retries: 0,
    });

    it('calls capacity grown beyond the new demand, idle, while the fleet loses to demand a loop', () => {
      const samples = loadThen((i) => grown(i, 700), 7);
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.signature, 'loop');
      assert.equal(a.legs?.noUsefulGain, false, 'more work than in the calm: the other paths do not hold');
      assert.match(evaluate(INITIAL_MEMORY, samples, samples.at(-1)!.t, opts).verdict.evidence.join('\n'), /capacity grew beyond the new demand \(×3\.0 vs new messages ×1\.6\).*a loop started by load/);
    });

    it('does not call the same growth a loop once the fleet finishes more than arrives (the crowd over, its backlog draining)', () => {
      const samples = loadThen((i) => ({ ...grown(i, i < 4 ? 700 : 720), ...(i >= 4 ? { sqs_sent: 600 } : {}) }), 7);
      const a = assess(samples, samples.at(-1)!.t, opts);
      assert.equal(a.legs?.addedIdle, true);
      assert.equal(a.signature, 'none');
    });
  });

  describe('a loop started by load, behind a downstream that slows as the fleet grows', () => {
    /** 40 calm samples at 5 instances; then 950 arrive, the fleet saturates at 700, the group goes to 10 and 7 come in service. */
    const slowing = (done: number, retries = 0): Sample[] => [
      ...Array.from({ length: 40 }, (_, i) => at(i, { desired: 5, in_service: 5, sqs_sent: 600 + (i % 3), sqs_received: 600, sqs_deleted: 600 - (i % 2), sqs_visible: 5, worker_attempts: 600, worker_retries: 0 })),
      ...Array.from({ length: 6 }, (_, i) => {
        const finished = i < 4 ? 700 : done;
        const attempts = Math.round(finished / (1 - retries));
        return at(40 + i, { desired: i < 2 ? 5 : 10, in_service: i < 3 ? 5 : 7, sqs_sent: 950, sqs_received: attempts, sqs_deleted: finished, sqs_visible: 250 * (i + 1), worker_attempts: attempts, worker_retries: attempts - finished });
      }),
    ];
    const legsAt = (w: Sample[]) => assess(w, w.at(-1)!.t, opts).legs!;

    it('calls it a loop when each added instance returns under half of what each did before, retries within the budget', () => {
      const w = slowing(800);
      const legs = legsAt(w);
      assert.equal(legs.addedIdle, false, 'the added capacity does some work: not idle');
      assert.equal(legs.addedWasted, true);
      assert.ok(Math.abs(legs.addedShare! - 0.36) < 0.01, String(legs.addedShare));
      assert.equal(legs.beyondDemand, true, 'capacity ×2.0 against new messages ×1.6, the crowd that began in the calm part not counted as its noise');
      const v = evaluate(INITIAL_MEMORY, w, w.at(-1)!.t, opts).verdict;
      assert.equal(v.signature, 'loop');
      assert.match(v.evidence.join('\n'), /each added instance returns 36 % of what each instance did before the growth \(under half\), with retries within the budget/);
    });

    it('does not when the added instances return most of their share (a fleet the crowd found short)', () => {
      const w = slowing(980);
      assert.equal(legsAt(w).addedWasted, false);
      assert.equal(assess(w, w.at(-1)!.t, opts).signature, 'none');
    });

    it('leaves it to the retry legs when retries are past the budget: a rate limit refuses the added capacity, a crowd meeting it recovers', () => {
      const w = slowing(800, 0.3);
      const a = assess(w, w.at(-1)!.t, opts);
      assert.equal(a.legs?.addedWasted, true);
      assert.equal(a.legs?.retries.state, 'over');
      assert.equal(a.signature, 'none');
    });
  });

  describe('addedWasted', () => {
    /** Four samples at 4 in service doing 400, then 6 in service from sample `from` doing `done`, work waiting throughout. */
    const grow = (done: number, from = 4): Sample[] => [
      ...[0, 1, 2, 3].map((i) => at(i, { in_service: 4, sqs_deleted: 400, sqs_visible: 3000 })),
      ...[4, 5, 6].map((i) => at(i, { in_service: i >= from ? 6 : 4, sqs_deleted: done, sqs_visible: 3000 })),
    ];
    const wasted = (w: Sample[]) => addedWasted(addedReturn(w, 3, 2, { cv: 0.02, z: Z, minGrowth: 0.1, calm: w.slice(0, 4) }));

    it('is true under half the share per added instance, false near a full share', () => {
      assert.equal(wasted(grow(450)), true, '50 more finished where two more instances at 100 each would add 200: a quarter');
      assert.equal(wasted(grow(590)), false);
    });

    it('judges only once the added capacity served every recent interval', () => {
      assert.equal(wasted(grow(450, 5)), undefined, 'one served interval against two is noise');
    });
  });

  describe('throughputNoise', () => {
    it('is the sample-to-sample noise, not inflated by a change of level in the calm', () => {
      const calm = [...Array.from({ length: 10 }, (_, i) => at(i, { sqs_deleted: 600 + (i % 2 ? 12 : -12) })), ...Array.from({ length: 10 }, (_, i) => at(10 + i, { sqs_deleted: 60 + (i % 2 ? 12 : -12) }))];
      const noise = throughputNoise(calm)!;
      assert.ok(noise > 0 && noise < 0.2, String(noise));
      assert.equal(throughputNoise(calm.slice(0, 2)), undefined);
    });
  });
});
