// Slack delivery end to end: the notifier records in the guard's outbox (a real ConfigMap),
// the alerts controller delivers to a local sink that answers as Slack does, and what arrived
// is checked with the sink's own records and timestamps.
import assert from 'node:assert/strict';
import { announceDriftReverted, resolveDrift } from '../../../src/alerting/drift.ts';
import { ConditionType } from '../../../src/api/v1alpha1/index.ts';
import { Answers, SlackSink } from '../../support/slack-sink.ts';
import {
  alert,
  alertsReconciles,
  blockText,
  createNamespace,
  createSecret,
  eventually,
  getGuard,
  installCrds,
  kubectl,
  readOutbox,
  slackGuard,
  startAlerts,
  waitForCondition,
  waitForEvents,
  type RunningAlerts,
} from './helpers.ts';

describe('alerts: Slack delivery through the outbox', function () {
  this.timeout(120_000);
  let ns = '';
  let running: RunningAlerts;
  const sinks: SlackSink[] = [];

  /** A guard with its own webhook (its own sink), so pace and answers are per test. */
  async function guardWithSink(name: string, slack: Record<string, unknown> = {}, alerts: Record<string, unknown> = {}) {
    const sink = await new SlackSink().start();
    sinks.push(sink);
    await createSecret(ns, `${name}-slack`, { url: sink.url });
    const guard = await slackGuard(ns, name, slack, alerts);
    return { sink, guard };
  }

  before(async () => {
    await installCrds();
    ns = await createNamespace('alerts-delivery');
    running = await startAlerts(ns);
  });

  after(async () => {
    await running?.stop();
    await Promise.all(sinks.map((s) => s.stop()));
  });

  it('sends one FIRING message with title, severity, guard, evidence, actions, undo and the mention', async () => {
    const { sink, guard } = await guardWithSink('fire', { mention: '<!subteam^S123>', channel: '#payments-oncall' });
    const undo = `kubectl annotate costguard fire -n ${ns} costguard.io/paused=true --overwrite`;
    await running.notifier.fire(guard, alert('runaway', { undo }));
    await sink.waitFor('one message', (r) => r.length === 1);
    const [req] = sink.requests;
    assert.equal(req?.status, 200);
    const body = req?.body as { text: string; channel: string; blocks: { type: string; text?: { text: string } }[] };
    assert.equal(body.channel, '#payments-oncall');
    assert.match(body.text, /^<!subteam\^S123> FIRING: Runaway suspected \(runaway\)/);
    assert.equal(body.blocks[0]?.type, 'header');
    assert.equal(body.blocks[0]?.text?.text, 'FIRING: Runaway suspected (runaway)');
    const text = blockText(body);
    for (const part of ['*critical*', `\`${ns}/fire\``, '<!subteam^S123>', '• capacity 4→19 (+375%) in 30m', '*What CostGuard did*', '• Froze asg/orders-worker-asg at MaxSize 19', `\`\`\`${undo}\`\`\``]) {
      assert.ok(text.includes(part), `${part} in\n${text}`);
    }
    // The undo command, as the reader copies it from Slack, works against the cluster.
    await runUndo(text);
    assert.equal((await getGuard(ns, 'fire')).metadata.annotations?.['costguard.io/paused'], 'true');
    const events = await waitForEvents(ns, 'fire', 'AlertFiring');
    assert.equal(events.length, 1);
    assert.match(events[0]?.note ?? '', /^\[critical\] Runaway suspected \(runaway\): capacity 4→19/);
    await waitForCondition(ns, 'fire', { type: ConditionType.AlertsReady, status: 'True', reason: 'SlackReady' });
    await eventually('an empty outbox', async () => ((await readOutbox(ns, 'fire')).pending.length === 0 ? true : undefined));
  });

  it('sends nothing more for the same incident within repeatInterval, then RESOLVED once', async () => {
    const { sink, guard } = await guardWithSink('repeat');
    await running.notifier.fire(guard, alert('runaway'));
    await running.notifier.fire(guard, alert('runaway', { evidence: ['capacity 19→25'] }));
    await running.notifier.fire(guard, alert('runaway'));
    // A second incident is the positive signal: messages go in order, so a repeat would come first.
    await running.notifier.fire(guard, alert('budget/ACTUAL/100', { severity: 'warning', title: 'Budget reached' }));
    await sink.waitFor('two messages', (r) => r.length >= 2);
    await running.notifier.resolve(guard, 'runaway', 'Signals healthy for 15m; the brake is released.');
    await running.notifier.resolve(guard, 'runaway', 'again');
    await sink.waitFor('RESOLVED', (r) => r.length >= 3);
    await running.notifier.fire(guard, alert('marker'));
    await sink.waitFor('the marker', (r) => r.length >= 4);
    const headers = sink.requests.map((r) => (r.body as { blocks: { text?: { text: string } }[] }).blocks[0]?.text?.text);
    assert.deepEqual(headers, ['FIRING: Runaway suspected (runaway)', 'FIRING: Budget reached', 'RESOLVED: Runaway suspected (runaway)', 'FIRING: Runaway suspected (marker)']);
    assert.match(blockText(sink.requests[2]?.body), /Signals healthy for 15m; the brake is released\./);
    await waitForEvents(ns, 'repeat', 'AlertResolved');
  });

  it('announces a still-firing incident again once repeatInterval has passed', async () => {
    const { sink, guard } = await guardWithSink('again', {}, { repeatInterval: '1s' });
    await running.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('first', (r) => r.length === 1);
    await eventually('repeatInterval to pass', () => Promise.resolve(Date.now() - sink.requests[0]!.at > 1100 ? true : undefined));
    await running.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('the repeat', (r) => r.length === 2);
    assert.equal(sink.delivered().length, 2);
  });

  it('waits for Retry-After after a 429, then delivers', async () => {
    const { sink, guard } = await guardWithSink('ratelimited');
    sink.next(Answers.rateLimited(2));
    await running.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('the retry', (r) => r.length === 2);
    const [first, second] = sink.requests;
    assert.deepEqual([first?.status, second?.status], [429, 200]);
    assert.ok(second!.at - first!.at >= 2000, `retried after ${second!.at - first!.at} ms`);
  });

  it('retries a 500 with backoff, then delivers once', async () => {
    const { sink, guard } = await guardWithSink('flaky');
    sink.next(Answers.serverError());
    await running.notifier.fire(guard, alert('runaway'));
    await sink.waitFor('the retry', (r) => r.length === 2);
    assert.deepEqual(sink.requests.map((r) => r.status), [500, 200]);
    assert.ok(sink.requests[1]!.at - sink.requests[0]!.at >= 1000, 'after the first backoff step (1 s)');
    await waitForCondition(ns, 'flaky', { type: ConditionType.AlertsReady, status: 'True', reason: 'SlackReady' });
  });

  it('invalid_payload: AlertsReady False naming it, the message is not retried, the next one goes', async () => {
    const { sink, guard } = await guardWithSink('invalid');
    sink.next(Answers.invalidPayload());
    await running.notifier.fire(guard, alert('runaway'));
    const g = await waitForCondition(ns, 'invalid', { type: ConditionType.AlertsReady, status: 'False', reason: 'SlackInvalidPayload' });
    assert.match(g.status?.conditions?.find((c) => c.type === 'AlertsReady')?.message ?? '', /Slack answered invalid_payload/);
    const seen = await alertsReconciles(running.manager);
    await eventually('three more reconciles', async () => ((await alertsReconciles(running.manager)) >= seen + 3 ? true : undefined));
    assert.equal(sink.requests.length, 1, 'the refused message was not sent again');
    await running.notifier.fire(guard, alert('next'));
    await sink.waitFor('the next message', (r) => r.length === 2);
    await waitForCondition(ns, 'invalid', { type: ConditionType.AlertsReady, status: 'True', reason: 'SlackReady' });
  });

  for (const [answer, reason] of [[Answers.noService(), 'SlackNoService'], [Answers.channelNotFound(), 'SlackChannelNotFound'], [Answers.actionProhibited(), 'SlackActionProhibited']] as const) {
    it(`${answer.body}: AlertsReady False (${reason}), messages wait, no retry storm`, async () => {
      const name = `parked-${answer.body!.replaceAll('_', '-')}`;
      const { sink, guard } = await guardWithSink(name);
      sink.always(answer);
      for (const i of [1, 2, 3]) await running.notifier.fire(guard, alert(`incident-${i}`));
      await waitForCondition(ns, name, { type: ConditionType.AlertsReady, status: 'False', reason });
      const seen = await alertsReconciles(running.manager);
      await eventually('five more reconciles', async () => ((await alertsReconciles(running.manager)) >= seen + 5 ? true : undefined));
      assert.equal(sink.requests.length, 1, 'one request, then the webhook is parked');
      assert.equal((await readOutbox(ns, name)).pending.length, 3, 'the messages wait for a working webhook');
    });
  }

  it('keeps at most one request per second to a webhook under a burst of 50 alerts', async () => {
    const { sink, guard } = await guardWithSink('burst');
    await Promise.all(Array.from({ length: 50 }, (_, i) => running.notifier.fire(guard, alert(`burst-${i}`))));
    await sink.waitFor('50 messages', (r) => r.length >= 50, 100_000);
    assert.equal(sink.delivered().length, 50);
    const max = sink.maxInWindow(1000);
    const gaps = sink.requests.slice(1).map((r, i) => r.at - sink.requests[i]!.at);
    console.log(`      burst of 50: max ${max} message(s) in any 1 s window; smallest gap ${Math.min(...gaps)} ms`);
    assert.ok(max <= 1, `${max} messages within one second`);
    const incidents = new Set(sink.requests.map((r) => (r.body as { blocks: { text?: { text: string } }[] }).blocks[0]?.text?.text));
    assert.equal(incidents.size, 50, 'each alert exactly once');
  });

  it('alerts on a reverted ceilings drift through announceDriftReverted, and resolves it', async () => {
    const { sink, guard } = await guardWithSink('drift');
    await announceDriftReverted(running.notifier, guard, { target: 'asg/orders-worker-asg', message: 'MaxSize raised to 60 (CostGuard had set 20 at 02:00); reverted to 20' });
    await sink.waitFor('the drift alert', (r) => r.length === 1);
    const text = blockText(sink.requests[0]?.body);
    assert.match(text, /FIRING: asg\/orders-worker-asg was raised above its ceiling and reverted/);
    assert.match(text, /MaxSize raised to 60 \(CostGuard had set 20 at 02:00\); reverted to 20/);
    assert.match(text, new RegExp(`kubectl annotate costguard drift -n ${ns} costguard.io/paused=true`));
    await runUndo(text);
    assert.equal((await getGuard(ns, 'drift')).metadata.annotations?.['costguard.io/paused'], 'true');
    await resolveDrift(running.notifier, guard, 'asg/orders-worker-asg');
    await sink.waitFor('RESOLVED', (r) => r.length === 2);
    const resolved = blockText(sink.requests[1]?.body);
    assert.match(resolved, /RESOLVED: asg\/orders-worker-asg was raised/);
    assert.doesNotMatch(resolved, /How to undo|FIRING/, 'a RESOLVED message has nothing left to undo');
  });

  it('keeps an oversized alert within Slack\'s limits: accepted (200), every cut said', async () => {
    const { sink, guard } = await guardWithSink('huge', { mention: '<!here>' });
    const long = (n: number, c: string): string => c.repeat(n);
    await running.notifier.fire(guard, alert('huge', { title: long(400, 'T'), evidence: Array.from({ length: 200 }, (_, i) => `fact ${i} ${long(80, 'x')}`), actions: [long(5000, 'a')], undo: long(5000, 'k') }));
    await sink.waitFor('the message', (r) => r.length === 1);
    assert.equal(sink.requests[0]?.status, 200, `Slack would answer ${String(sink.requests[0]?.status)}`);
    const body = sink.requests[0]?.body as { blocks: { type: string; text?: { text: string } }[] };
    assert.ok(body.blocks.length <= 50);
    assert.ok((body.blocks[0]?.text?.text.length ?? 0) <= 150);
    assert.match(blockText(body), /truncated|and \d+ more/);
  });
});

/** Copies the ```undo``` command out of a delivered message and runs it, as a reader would. */
async function runUndo(text: string): Promise<void> {
  const command = /```([^`]+)```/.exec(text)?.[1]?.replace(/\s+#.*$/, '').trim() ?? '';
  const [tool, ...args] = command.split(/\s+/);
  assert.equal(tool, 'kubectl', `an undo command: ${command}`);
  await kubectl(args);
}
