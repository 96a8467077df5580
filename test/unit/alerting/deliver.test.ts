// drain(): the delivery shell around the pure decisions, with a scripted sender and an
// in-memory store. It sends what is due, never waits, and says when to come back.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { drain, type DeliverDeps } from '../../../src/alerting/deliver.ts';
import { AlertMetrics } from '../../../src/alerting/metrics.ts';
import { emptyOutbox, recordFire, type Outbox } from '../../../src/alerting/outbox.ts';
import type { OutboxStore } from '../../../src/alerting/outbox-store.ts';
import type { SendOutcome } from '../../../src/alerting/slack-errors.ts';
import type { Delivery, SlackSender } from '../../../src/alerting/slack-sender.ts';
import { WebhookGate } from '../../../src/alerting/webhook-gate.ts';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { FakeClock } from '../../../src/runtime/testing/fake-clock.ts';

const guard = {
  metadata: { name: 'g', namespace: 'ns', uid: 'u' },
  spec: { alerts: { repeatInterval: '1h', slack: { webhookSecretRef: { name: 's', key: 'url' }, mention: '<!here>', channel: '#c' } } },
} as unknown as CostGuard;
const webhook = { url: 'https://hooks.slack.com/services/T/B/x', id: 'w1' };

function setup(count: number, answers: SendOutcome[]) {
  let outbox: Outbox = emptyOutbox();
  for (let i = 0; i < count; i++) outbox = recordFire(outbox, { incident: `i${i}`, severity: 'warning', title: `t${i}`, evidence: [], actions: [] }, { nowMs: 0, repeatMs: 1, slack: true }).outbox;
  const sent: Delivery[] = [];
  const store = { update: (_g: CostGuard, f: (o: Outbox) => Outbox) => Promise.resolve((outbox = f(outbox))) } as unknown as OutboxStore;
  const sender = { send: (d: Delivery) => (sent.push(d), Promise.resolve(answers.shift() ?? { kind: 'delivered' })) } as unknown as SlackSender;
  const clock = new FakeClock(0);
  const deps: DeliverDeps = { store, sender, gate: new WebhookGate(1000), clock, metrics: new AlertMetrics(new Registry()) };
  return { deps, sent, clock, outbox: () => outbox };
}

const run = (deps: DeliverDeps) => drain(deps, { guard, webhook, log: silentLogger() });

describe('drain', () => {
  it('sends one message per slot and asks to come back for the next', async () => {
    const t = setup(3, []);
    const first = await run(t.deps);
    assert.equal(t.sent.length, 1);
    assert.equal(first.requeueAfterMs, 1000);
    assert.equal(t.outbox().pending.length, 2);
    assert.equal(t.sent[0]?.channel, '#c');
    assert.match(t.sent[0]?.message.text ?? '', /^<!here> FIRING: t0/);
    await t.clock.advance(1000);
    await run(t.deps);
    assert.equal(t.sent.length, 2);
  });

  it('does not send before the slot, however often it is called', async () => {
    const t = setup(2, []);
    await run(t.deps);
    await t.clock.advance(500);
    const again = await run(t.deps);
    assert.equal(t.sent.length, 1);
    assert.equal(again.requeueAfterMs, 500);
  });

  it('after a 429, waits Retry-After and keeps the message', async () => {
    const t = setup(1, [{ kind: 'rate_limited', retryAfterMs: 30_000 }]);
    const r = await run(t.deps);
    assert.equal(r.requeueAfterMs, 30_000);
    assert.equal(t.outbox().pending.length, 1);
  });

  it('after a 5xx, backs the message off', async () => {
    const t = setup(1, [{ kind: 'unavailable', detail: 'HTTP 500' }]);
    const r = await run(t.deps);
    assert.equal(r.requeueAfterMs, 1000);
    assert.equal(t.outbox().pending[0]?.attempts, 1);
  });

  it('with the breaker open, reports Slack unavailable and looks again in 5 s', async () => {
    const t = setup(1, [{ kind: 'breaker_open' }]);
    const r = await run(t.deps);
    assert.deepEqual([r.unavailable, r.requeueAfterMs], [true, 5000]);
  });

  it('a parked webhook gets no request until the park ends', async () => {
    const t = setup(2, [{ kind: 'webhook_rejected', code: 'no_service' }]);
    await run(t.deps);
    await t.clock.advance(60_000);
    const r = await run(t.deps);
    assert.equal(t.sent.length, 1);
    assert.equal(r.requeueAfterMs, 15 * 60_000 - 60_000);
  });

  it('nothing waiting: no request, no requeue', async () => {
    const t = setup(0, []);
    const r = await run(t.deps);
    assert.deepEqual([t.sent.length, r.requeueAfterMs], [0, undefined]);
  });
});
