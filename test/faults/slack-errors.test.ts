// Fault 4: Slack answers 500 (three times), then 429 with Retry-After (twice), while the brake
// engages. The alert waits in the outbox, is retried with backoff, honours Retry-After, and is
// delivered exactly once; AlertsReady says Slack was unavailable, then ready again.
import assert from 'node:assert/strict';
import { testEnv } from '../harness/env.ts';
import { Answers } from '../support/slack-sink.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { alertKey, RunawayScenario } from './support/scenario.ts';

const RETRY_AFTER_S = 3;

describe('fault: Slack answers 500, then 429 with Retry-After', function () {
  let s: RunawayScenario;
  let op: OperatorProcess;

  before(async () => {
    s = await RunawayScenario.prepare('fault-slack');
    op = await OperatorProcess.start({ namespace: s.ns, identity: 'slack-a' }, testEnv().awsEndpoint);
    await s.createGuard();
  });

  after(async () => {
    await op?.kill();
    await s?.close();
  });

  it('delivers the runaway alert once, after the errors, honouring Retry-After', async () => {
    s.sink.next(Answers.serverError(), Answers.serverError(), Answers.serverError(), Answers.rateLimited(RETRY_AFTER_S), Answers.rateLimited(RETRY_AFTER_S));
    s.startLoop();
    await s.waitForBrake();
    await s.sink.waitFor('the runaway alert delivered', (r) => r.some((x) => x.status === 200 && alertKey(x.body) === 'FIRING runaway'), 120_000);
    const attempts = s.sink.requests.filter((r) => alertKey(r.body) === 'FIRING runaway');
    assert.deepEqual(attempts.map((r) => r.status), [500, 500, 500, 429, 429, 200], 'every scripted error was met, then one delivery');
    // After each 429 the next request waits at least Retry-After.
    const gaps = attempts.slice(3, 5).map((r, i) => attempts[i + 4]!.at - r.at);
    for (const gap of gaps) assert.ok(gap >= RETRY_AFTER_S * 1000, `a request ${gap} ms after a 429 with Retry-After ${RETRY_AFTER_S} s`);
    await poll('AlertsReady back to SlackReady', () => s.reasons('AlertsReady').at(-1) === 'True/SlackReady', 30_000);
    const alertsReady = s.reasons('AlertsReady');
    assert.ok(alertsReady.includes('False/SlackUnavailable'), `AlertsReady went: ${alertsReady.join(' → ')}`);
    assert.equal((await s.status())?.runaway?.state, 'Braking');

    const { alerts, restoreMs } = await s.verifyAndRestore();
    record({
      fault: 'Slack webhook answers 500 ×3, then 429 (Retry-After 3 s) ×2, as the brake engages',
      held: ['capacity ≤ hold (the brake does not wait for Slack)', 'alert delivered once after the errors', 'Retry-After honoured', `AlertsReady: ${alertsReady.join(' → ')}`, 'original MaxSize restored on delete'],
      figures: {
        'first attempt → delivered': `${((attempts.at(-1)!.at - attempts[0]!.at) / 1000).toFixed(1)} s`,
        'attempts (statuses)': attempts.map((r) => r.status).join(', '),
        'gaps after 429': gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join(', '),
        'max capacity': s.capacityFigure(),
        'alerts delivered/incidents': alerts,
        'delete → original restored': `${(restoreMs / 1000).toFixed(1)} s`,
      },
    });
  });
});
