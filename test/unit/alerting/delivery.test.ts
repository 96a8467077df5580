import assert from 'node:assert/strict';
import { applyOutcome, PARK_MS, waitForHead } from '../../../src/alerting/delivery-decide.ts';
import { emptyOutbox, recordFire, type Outbox } from '../../../src/alerting/outbox.ts';
import { WebhookGate } from '../../../src/alerting/webhook-gate.ts';
import { alertsReady } from '../../../src/controllers/alerts/conditions.ts';
import type { CostGuardSpec } from '../../../src/api/v1alpha1/index.ts';

const at = { nowMs: 1000, webhook: 'w1' };
const queued = (): Outbox => recordFire(emptyOutbox(), { incident: 'a', severity: 'critical', title: 't', evidence: [], actions: [] }, { nowMs: 0, repeatMs: 1, slack: true }).outbox;

describe('delivery decisions', () => {
  it('applyOutcome: delivered removes, unavailable backs off, rejections keep the problem, others wait', () => {
    const o = queued();
    assert.equal(applyOutcome(o, '1', { kind: 'delivered' }, at).pending.length, 0);
    assert.equal(applyOutcome(o, '1', { kind: 'unavailable', detail: 'HTTP 500' }, at).pending[0]?.notBefore, 2000);
    const rejected = applyOutcome(o, '1', { kind: 'payload_rejected', code: 'invalid_payload' }, at);
    assert.equal(rejected.pending.length, 0);
    assert.deepEqual([rejected.problem?.reason, rejected.problem?.scope], ['SlackInvalidPayload', 'payload']);
    const parked = applyOutcome(o, '1', { kind: 'webhook_rejected', code: 'no_service' }, at);
    assert.equal(parked.pending.length, 1);
    assert.deepEqual([parked.problem?.reason, parked.problem?.scope, parked.problem?.webhook], ['SlackNoService', 'webhook', 'w1']);
    assert.deepEqual(applyOutcome(o, '1', { kind: 'rate_limited', retryAfterMs: 5 }, at), o);
    assert.deepEqual(applyOutcome(o, '1', { kind: 'breaker_open' }, at), o);
  });

  it('waitForHead: nothing waiting, due now, in backoff, parked for this webhook only', () => {
    assert.equal(waitForHead(emptyOutbox(), 'w1', 0), undefined);
    assert.equal(waitForHead(queued(), 'w1', 0), 0);
    assert.equal(waitForHead(applyOutcome(queued(), '1', { kind: 'unavailable', detail: '' }, at), 'w1', 1500), 500);
    const parked = applyOutcome(queued(), '1', { kind: 'webhook_rejected', code: 'no_service' }, at);
    assert.equal(waitForHead(parked, 'w1', 1000), PARK_MS);
    assert.equal(waitForHead(parked, 'w1', 1000 + PARK_MS), 0, 'one probe after the park');
    assert.equal(waitForHead(parked, 'w2', 1000), 0, 'a new webhook is tried at once');
  });
});

describe('WebhookGate', () => {
  it('gives one slot per interval per webhook, and holds after a 429', () => {
    const gate = new WebhookGate(1000);
    assert.deepEqual(gate.reserve('w', 0), { ok: true });
    assert.deepEqual(gate.reserve('w', 999), { ok: false, waitMs: 1 });
    assert.deepEqual(gate.reserve('other', 999), { ok: true });
    assert.deepEqual(gate.reserve('w', 1000), { ok: true });
    gate.holdUntil('w', 30_000);
    assert.equal(gate.waitMs('w', 2000), 28_000);
    gate.holdUntil('w', 10);
    assert.equal(gate.waitMs('w', 2000), 28_000, 'a hold never shortens');
  });
});

describe('AlertsReady', () => {
  const spec = (slack: boolean): CostGuardSpec =>
    ({ mode: 'DryRun', onDelete: 'Keep', workloads: [], alerts: { repeatInterval: '1h', ...(slack ? { slack: { webhookSecretRef: { name: 's', key: 'url' } } } : {}) } });
  const cases: { name: string; slack: boolean; observed: Parameters<typeof alertsReady>[1]; want: [string, string] }[] = [
    { name: 'no Slack', slack: false, observed: { unavailable: false }, want: ['True', 'EventsOnly'] },
    { name: 'Secret not read yet', slack: true, observed: { unavailable: false }, want: ['Unknown', 'Reconciling'] },
    { name: 'Secret missing', slack: true, observed: { lookup: { ok: false, reason: 'SecretNotFound', message: 'm' }, unavailable: false }, want: ['False', 'SecretNotFound'] },
    { name: 'Slack refused', slack: true, observed: { lookup: { ok: true, url: 'u', id: 'w' }, problem: { reason: 'SlackNoService', message: 'm', webhook: 'w', scope: 'webhook', at: 0 }, unavailable: false }, want: ['False', 'SlackNoService'] },
    { name: 'Slack down', slack: true, observed: { lookup: { ok: true, url: 'u', id: 'w' }, unavailable: true }, want: ['False', 'SlackUnavailable'] },
    { name: 'all good', slack: true, observed: { lookup: { ok: true, url: 'u', id: 'w' }, unavailable: false }, want: ['True', 'SlackReady'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const cond = alertsReady(spec(c.slack), c.observed);
      assert.deepEqual([cond.status, cond.reason], c.want);
      assert.equal(cond.type, 'AlertsReady');
    });
  }
});
