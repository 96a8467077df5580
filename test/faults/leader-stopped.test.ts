// Fault 5: two operator replicas share a leader Lease; the leader is stopped (SIGSTOP) mid-brake.
// The standby takes the lease once it expires and carries on from status: same brake, same
// originals, no second alert. When the old leader is resumed it finds the lease gone and exits
// (as the kubelet expects), without undoing anything.
import assert from 'node:assert/strict';
import { objectPath, Resources } from '../../src/runtime/kube/resource.ts';
import { rest } from '../integration/controllers/helpers.ts';
import { testEnv } from '../harness/env.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { RunawayScenario } from './support/scenario.ts';

describe('fault: two replicas, the leader stopped mid-brake', function () {
  let s: RunawayScenario;
  const operators: OperatorProcess[] = [];

  before(async () => {
    s = await RunawayScenario.prepare('fault-leader');
    const lease = { namespace: s.ns, name: 'costguard-leader' };
    const leader = await OperatorProcess.start({ namespace: s.ns, identity: 'leader-a', lease }, testEnv().awsEndpoint);
    operators.push(leader);
    await leader.printed('leading', 30_000);
    operators.push(await OperatorProcess.start({ namespace: s.ns, identity: 'standby-b', lease }, testEnv().awsEndpoint));
    await s.createGuard();
  });

  after(async () => {
    operators[0]?.signal('SIGCONT');
    for (const op of operators) await op.kill();
    await s?.close();
  });

  it('the standby takes over and keeps the brake; the old leader steps down', async () => {
    const [leader, standby] = operators as [OperatorProcess, OperatorProcess];
    const holder = async (): Promise<string> => (await rest().get<{ spec?: { holderIdentity?: string } }>(objectPath(Resources.leases, s.ns, 'costguard-leader'))).spec?.holderIdentity ?? '';
    s.startLoop();
    await s.waitForBrake();
    assert.match(await holder(), /^leader-a_/);
    // Stop the leader only once the alert is recorded as delivered: the crash window of
    // exactly-once (Slack said ok, the outbox not yet updated) is then not hit.
    await poll('the runaway alert delivered and recorded', async () => s.deliveries().get('FIRING runaway') === 1 && (await s.pendingAlerts()) === 0, 60_000);
    const before = (await s.status())!.brake!;

    leader.signal('SIGSTOP');
    const stoppedAt = Date.now();
    await standby.printed('leading', 60_000);
    const takeoverMs = Date.now() - stoppedAt;
    assert.match(await holder(), /^standby-b_/);
    const seenMs = await s.specChangeSeen();

    leader.signal('SIGCONT');
    const exit = await leader.exited;
    assert.equal(exit.code, 1, 'the old leader exits on leadership lost');
    assert.match(await holder(), /^standby-b_/, 'the standby still leads');
    const after = (await s.status())!;
    assert.deepEqual(after.brake?.saved, before.saved, 'the originals survive the takeover');
    assert.equal(after.brake?.engagedAt, before.engagedAt, 'the same brake, not a second one');
    assert.equal(after.runaway?.state, 'Braking');
    const released = s.conditions.filter((c) => c.type === 'BrakeEngaged' && c.at >= s.holdAppliedAt! && c.status !== 'True');
    assert.deepEqual(released, [], 'BrakeEngaged stayed True through the takeover');

    const { alerts, restoreMs } = await s.verifyAndRestore();
    record({
      fault: 'two replicas, the leader SIGSTOPped mid-brake (lease 4 s, renew 3 s), later SIGCONTed',
      held: ['capacity ≤ hold', 'standby took the lease and kept the brake', 'old leader exited 1 on resume', 'alert not repeated', 'original MaxSize restored on delete'],
      figures: {
        'stop → standby leading': `${(takeoverMs / 1000).toFixed(1)} s`,
        'then a spec change seen by the standby': `${(seenMs / 1000).toFixed(1)} s`,
        'max capacity': s.capacityFigure(),
        'alerts delivered/incidents': alerts,
        'delete → original restored': `${(restoreMs / 1000).toFixed(1)} s`,
      },
    });
  });
});
