// Fault 6: kill -9 of the operator between the two writes of an engaging brake: the alert in
// the outbox, then the brake in status. A real admission policy refuses every status write
// that carries a brake, so the operator is held exactly between the two; it is killed there.
// The alert must already be in the outbox (it is written first), and the next process must
// deliver it, once, and engage the brake.
import assert from 'node:assert/strict';
import { testEnv } from '../harness/env.ts';
import { Answers } from '../support/slack-sink.ts';
import { refuseStatusPolicy } from '../support/status-policy.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { alertKey, RunawayScenario } from './support/scenario.ts';

async function kubectl(args: string[], input?: string): Promise<void> {
  const res = await testEnv().kubectl(args, input === undefined ? {} : { input });
  assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`);
}

/** Refuses the status writes that carry a brake, in one namespace. */
function refuseBrakePolicy(name: string, namespace: string): string {
  return refuseStatusPolicy(name, `object.metadata.namespace != '${namespace}' || !has(object.status) || !has(object.status.brake)`, 'brake status writes refused by the test');
}

describe('fault: kill -9 between the alert and the brake\'s status write', function () {
  let s: RunawayScenario;
  const operators: OperatorProcess[] = [];
  let policy = '';

  before(async () => {
    s = await RunawayScenario.prepare('fault-order');
    policy = `refuse-brake-${s.ns}`;
    operators.push(await OperatorProcess.start({ namespace: s.ns, identity: 'order-a' }, testEnv().awsEndpoint));
    await s.createGuard();
  });

  after(async () => {
    for (const op of operators) await op.kill();
    await testEnv().kubectl(['delete', `validatingadmissionpolicybinding/${policy}`, `validatingadmissionpolicy/${policy}`, '--ignore-not-found']);
    await s?.close();
  });

  it('finds the alert recorded before the brake, and delivered once by the next process', async () => {
    await kubectl(['apply', '-f', '-'], refuseBrakePolicy(policy, s.ns));
    // Slack holds the first message unanswered, so the first process cannot deliver it either.
    s.sink.next(Answers.hang());
    s.startLoop();
    // Held between the writes: the alert is in the outbox, the brake never reached status.
    await poll('the alert recorded while the brake status is refused', async () => (await s.pendingAlerts()) > 0 && (await s.status())?.brake === undefined, 120_000);
    await s.sink.waitFor('the alert sent, held unanswered', (r) => r.some((x) => x.status === 0 && alertKey(x.body) === 'FIRING runaway'), 30_000);
    const killedAt = Date.now();
    assert.equal((await operators[0]!.kill()).signal, 'SIGKILL');
    assert.equal((await s.status())?.brake, undefined, 'the kill came before the brake reached status');
    assert.ok((await s.pendingAlerts()) > 0, 'the alert survives the kill in the outbox');

    await kubectl(['delete', `validatingadmissionpolicybinding/${policy}`, `validatingadmissionpolicy/${policy}`]);
    operators.push(await OperatorProcess.start({ namespace: s.ns, identity: 'order-b' }, testEnv().awsEndpoint));
    await s.sink.waitFor('the alert delivered by the next process', (r) => r.some((x) => x.status === 200 && alertKey(x.body) === 'FIRING runaway'), 60_000);
    const alertMs = s.sink.delivered().find((r) => alertKey(r.body) === 'FIRING runaway')!.at - killedAt;
    await s.waitForBrake(120_000);
    const { alerts, restoreMs } = await s.verifyAndRestore();
    record({
      fault: 'kill -9 between the alert (outbox) and the brake (status), held there by an admission policy refusing brake status writes',
      held: ['alert in the outbox before the brake in status', 'alert delivered once by the next process', 'brake engaged by the next process', 'no scale-in', 'original MaxSize restored on delete'],
      figures: {
        'kill → alert delivered': `${(alertMs / 1000).toFixed(1)} s`,
        'max capacity': s.capacityFigure(),
        'alerts delivered/incidents': alerts,
        'delete → original restored': `${(restoreMs / 1000).toFixed(1)} s`,
      },
    });
  });
});
