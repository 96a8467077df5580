// Fault 2: the kube-apiserver restarts (same etcd data) mid-brake. Every watch and request of
// the operator is cut; the operator must ride it out, see changes again once the API server is
// back, and keep the brake: the hold stays on the group, status keeps the originals.
import assert from 'node:assert/strict';
import { testEnv } from '../harness/env.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { RunawayScenario } from './support/scenario.ts';

describe('fault: kube-apiserver restart mid-brake', function () {
  let s: RunawayScenario;
  let op: OperatorProcess;

  before(async () => {
    s = await RunawayScenario.prepare('fault-apiserver');
    op = await OperatorProcess.start({ namespace: s.ns, identity: 'apiserver-a' }, testEnv().awsEndpoint);
    await s.createGuard();
  });

  after(async () => {
    await op?.kill();
    await s?.close();
  });

  it('keeps the brake through the restart and sees the API server again', async () => {
    s.startLoop();
    await s.waitForBrake();
    // The alert's outbox write needs the API server: restart only once it is written, so the
    // crash window of exactly-once (Slack said ok, the outbox not yet updated) is not hit.
    await poll('the runaway alert delivered and recorded', async () => s.deliveries().get('FIRING runaway') === 1 && (await s.pendingAlerts()) === 0, 60_000);
    const before = (await s.status())!.brake!;

    const restartStarted = Date.now();
    await testEnv().controlPlane.restartApiServer();
    const downMs = Date.now() - restartStarted;
    const recoverMs = await s.specChangeSeen();
    await poll('the operator reconciling after the restart', async () => (await op.reconciles('ceilings')) > 0);

    const after = (await s.status())!;
    assert.deepEqual(after.brake?.saved, before.saved, 'the originals survive the restart');
    assert.equal(after.brake?.engagedAt, before.engagedAt, 'the same brake, not a second one');
    assert.equal(after.runaway?.state, 'Braking');
    const released = s.conditions.filter((c) => c.type === 'BrakeEngaged' && c.at >= s.holdAppliedAt! && c.status !== 'True');
    assert.deepEqual(released, [], 'BrakeEngaged stayed True through the restart');

    const { alerts, restoreMs } = await s.verifyAndRestore();
    record({
      fault: 'kube-apiserver restart mid-brake (same etcd)',
      held: ['capacity ≤ hold', 'brake and originals unchanged', 'BrakeEngaged stayed True', 'alert not repeated', 'original MaxSize restored on delete'],
      figures: {
        'API server down (stop → ready)': `${(downMs / 1000).toFixed(1)} s`,
        'ready → a spec change seen in status': `${(recoverMs / 1000).toFixed(1)} s`,
        'max capacity': s.capacityFigure(),
        'alerts delivered/incidents': alerts,
        'delete → original restored': `${(restoreMs / 1000).toFixed(1)} s`,
      },
    });
  });
});
