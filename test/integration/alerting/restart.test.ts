// An alert pending when the operator stops is delivered by the next one, exactly once: the
// outbox is a ConfigMap, not memory. The first operator is stopped while Slack has not
// answered its request (the sink holds it), so the message never counted as delivered.
import assert from 'node:assert/strict';
import { Answers, SlackSink } from '../../support/slack-sink.ts';
import { alert, createNamespace, createSecret, eventually, installCrds, readOutbox, slackGuard, startAlerts, type RunningAlerts } from './helpers.ts';

describe('alerts: restart mid-delivery', function () {
  this.timeout(120_000);
  let ns = '';
  let sink: SlackSink;
  const running: RunningAlerts[] = [];

  before(async () => {
    await installCrds();
    ns = await createNamespace('alerts-restart');
    sink = await new SlackSink().start();
  });

  after(async () => {
    for (const r of running) await r.stop();
    await sink.stop();
  });

  it('delivers the pending alert after the restart, exactly once', async () => {
    await createSecret(ns, 'guard-slack', { url: sink.url });
    const guard = await slackGuard(ns, 'guard');
    const first = await startAlerts(ns);
    running.push(first);
    sink.next(Answers.hang());
    await first.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('the request the sink holds', (r) => r.length === 1);
    await first.stop();
    assert.equal((await readOutbox(ns, 'guard')).pending.length, 1, 'still pending after the stop');
    assert.equal(sink.delivered().length, 0);

    const second = await startAlerts(ns);
    running.push(second);
    await sink.waitFor('delivery by the new operator', (r) => r.some((x) => x.status === 200));
    // A second incident is the positive signal that the outbox moved on past the first.
    await second.notifier.fire(guard, alert('marker'));
    await sink.waitFor('the marker', (r) => r.filter((x) => x.status === 200).length === 2);
    await eventually('an empty outbox', async () => ((await readOutbox(ns, 'guard')).pending.length === 0 ? true : undefined));
    const delivered = sink.delivered().map((r) => (r.body as { blocks: { text?: { text: string } }[] }).blocks[0]?.text?.text);
    assert.deepEqual(delivered, ['FIRING: Runaway suspected (runaway)', 'FIRING: Runaway suspected (marker)']);
  });

  it('does not announce again after a restart what was already announced (dedupe survives)', async () => {
    await createSecret(ns, 'dedupe-slack', { url: sink.url });
    const guard = await slackGuard(ns, 'dedupe');
    const before = sink.requests.length;
    const first = await startAlerts(ns);
    running.push(first);
    await first.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('the first message', (r) => r.length === before + 1);
    await first.stop();
    const second = await startAlerts(ns);
    running.push(second);
    await second.notifier.fire(guard, alert('runaway'));
    await second.notifier.fire(guard, alert('marker'));
    await sink.waitFor('the marker', (r) => r.length === before + 2);
    const headers = sink.requests.slice(before).map((r) => (r.body as { blocks: { text?: { text: string } }[] }).blocks[0]?.text?.text);
    assert.deepEqual(headers, ['FIRING: Runaway suspected (runaway)', 'FIRING: Runaway suspected (marker)']);
  });
});
