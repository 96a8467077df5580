import assert from 'node:assert/strict';
import type { Alert } from '../../../src/alerting/notifier.ts';
import {
  emptyOutbox,
  forgetStaleProblem,
  head,
  markDelivered,
  markRejected,
  markRetry,
  MAX_PENDING,
  parseOutbox,
  recordFire,
  recordResolve,
  retryDelayMs,
  type DeliveryProblem,
  type Outbox,
} from '../../../src/alerting/outbox.ts';

const HOUR = 3_600_000;
const alert = (incident: string, title = `t-${incident}`): Alert => ({ incident, severity: 'warning', title, evidence: ['e'], actions: ['a'] });
const fire = (o: Outbox, a: Alert, nowMs: number, slack = true) => recordFire(o, a, { nowMs, repeatMs: HOUR, slack });
const problem = (scope: 'webhook' | 'payload', webhook = 'w1'): DeliveryProblem => ({ reason: 'SlackNoService', message: 'm', webhook, scope, at: 0 });

describe('outbox decisions', () => {
  describe('recordFire: one announcement per incident per repeatInterval', () => {
    const cases: { name: string; steps: [string, number][]; announced: (string | undefined)[]; pending: number }[] = [
      { name: 'a new incident is announced', steps: [['a', 0]], announced: ['new'], pending: 1 },
      { name: 'again within the interval: nothing', steps: [['a', 0], ['a', 1000], ['a', HOUR - 1]], announced: ['new', undefined, undefined], pending: 1 },
      { name: 'again after the interval: a repeat', steps: [['a', 0], ['a', HOUR]], announced: ['new', 'repeat'], pending: 1 },
      { name: 'two incidents are independent', steps: [['a', 0], ['b', 10]], announced: ['new', 'new'], pending: 2 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        let o = emptyOutbox();
        const announced: (string | undefined)[] = [];
        for (const [incident, at] of c.steps) {
          const r = fire(o, alert(incident), at);
          announced.push(r.announced);
          o = r.outbox;
        }
        assert.deepEqual(announced, c.announced);
        assert.equal(o.pending.length, c.pending);
      });
    }

    it('a repeat while the first message still waits refreshes it instead of queueing a second', () => {
      const first = fire(emptyOutbox(), alert('a', 'old'), 0).outbox;
      const again = fire(first, alert('a', 'new'), HOUR);
      assert.equal(again.outbox.pending.length, 1);
      assert.equal(again.outbox.pending[0]?.title, 'new');
      assert.equal(again.outbox.pending[0]?.id, first.pending[0]?.id);
    });

    it('without Slack tracks the incident (for Events) and queues nothing', () => {
      const r = fire(emptyOutbox(), alert('a'), 0, false);
      assert.equal(r.announced, 'new');
      assert.equal(r.outbox.pending.length, 0);
      assert.ok(r.outbox.incidents.a);
    });

    it('keeps the since time across repeats, and every message of the incident carries it', () => {
      const o = fire(fire(emptyOutbox(), alert('a'), 5).outbox, alert('a'), HOUR + 5).outbox;
      assert.equal(o.incidents.a?.since, 5);
      assert.equal(o.incidents.a?.announcedAt, HOUR + 5);
      assert.deepEqual(o.pending.map((m) => m.since), [5]);
      const resolved = recordResolve(o, 'a', 'over', { nowMs: 2 * HOUR, slack: true }).outbox;
      assert.deepEqual(resolved.pending.map((m) => [m.state, m.since]), [['FIRING', 5], ['RESOLVED', 5]]);
    });

    it('drops the oldest message past MAX_PENDING and says how many', () => {
      let o = emptyOutbox();
      for (let i = 0; i < MAX_PENDING; i++) o = fire(o, alert(`i${i}`), i).outbox;
      const r = fire(o, alert('last'), 100);
      assert.equal(r.dropped, 1);
      assert.equal(r.outbox.pending.length, MAX_PENDING);
      assert.equal(r.outbox.pending[0]?.incident, 'i1');
    });

    it('clips long evidence before it is stored', () => {
      const o = fire(emptyOutbox(), { ...alert('a'), evidence: Array.from({ length: 100 }, () => 'x'.repeat(5000)) }, 0).outbox;
      assert.equal(o.pending[0]?.evidence?.length, 30);
      assert.equal(o.pending[0]?.evidence?.[0]?.length, 1000);
    });
  });

  describe('recordResolve', () => {
    it('queues RESOLVED after FIRING for a firing incident and forgets it', () => {
      const r = recordResolve(fire(emptyOutbox(), alert('a', 'Runaway'), 0).outbox, 'a', 'ok now', { nowMs: 5, slack: true });
      assert.equal(r.announced, 'new');
      assert.deepEqual(r.outbox.pending.map((m) => [m.state, m.title]), [['FIRING', 'Runaway'], ['RESOLVED', 'Runaway']]);
      assert.equal(r.outbox.incidents.a, undefined);
    });

    it('is a no-op for an incident that is not firing', () => {
      const r = recordResolve(emptyOutbox(), 'a', 'x', { nowMs: 0, slack: true });
      assert.equal(r.changed, false);
      assert.equal(r.announced, undefined);
    });

    it('after a resolve, the incident fires as new again', () => {
      const resolved = recordResolve(fire(emptyOutbox(), alert('a'), 0).outbox, 'a', 'x', { nowMs: 1, slack: true }).outbox;
      assert.equal(fire(resolved, alert('a'), 2).announced, 'new');
    });
  });

  describe('delivery marks', () => {
    const queued = fire(fire(emptyOutbox(), alert('a'), 0).outbox, alert('b'), 0).outbox;

    it('delivered: the message leaves and a past problem is over', () => {
      const o = markDelivered({ ...queued, problem: problem('payload') }, head(queued)!.id);
      assert.deepEqual(o.pending.map((m) => m.incident), ['b']);
      assert.equal(o.problem, undefined);
    });

    it('retry: exponential backoff 1 s, 2 s, 4 s … capped at 5 min', () => {
      assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [1000, 2000, 4000, 8000]);
      assert.equal(retryDelayMs(30), 300_000);
      const o = markRetry(markRetry(queued, '1', 100), '1', 200);
      assert.equal(o.pending[0]?.attempts, 2);
      assert.equal(o.pending[0]?.notBefore, 2200);
    });

    it('rejected: the message is dropped and the problem kept', () => {
      const o = markRejected(queued, '1', problem('payload'));
      assert.deepEqual(o.pending.map((m) => m.incident), ['b']);
      assert.equal(o.problem?.scope, 'payload');
    });

    it('a problem with another webhook is forgotten when the URL changes', () => {
      const o = { ...queued, problem: problem('webhook', 'old') };
      assert.equal(forgetStaleProblem(o, 'new').problem, undefined);
      assert.equal(forgetStaleProblem(o, 'old').problem?.webhook, 'old');
    });
  });

  describe('parseOutbox', () => {
    it('round-trips, and reads nothing as empty', () => {
      const o = fire(emptyOutbox(), alert('a'), 0).outbox;
      assert.deepEqual(parseOutbox(JSON.stringify(o)), { outbox: o, corrupt: false });
      assert.deepEqual(parseOutbox(undefined), { outbox: emptyOutbox(), corrupt: false });
    });

    it('reports garbage and other versions as corrupt, returning an empty outbox', () => {
      assert.deepEqual(parseOutbox('{not json'), { outbox: emptyOutbox(), corrupt: true });
      assert.deepEqual(parseOutbox('{"version":2,"pending":[],"incidents":{}}'), { outbox: emptyOutbox(), corrupt: true });
    });
  });
});
