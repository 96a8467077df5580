// Fault 3: AWS (moto) unreachable for 60 s mid-brake, and the workers' retry metrics with it.
// The operator reaches AWS through a TCP gate the test closes (connections refused, open ones
// cut) and reopens; the Prometheus the retries come from answers 503 for as long. The cooldown
// (10 s) is far shorter than the outage, so a brake that took missing data for health would
// release within it. The hold stays on the group (AWS keeps it), the brake holds, the
// conditions say what failed while it did and clear once it answers again.
import assert from 'node:assert/strict';
import { testEnv } from '../harness/env.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { RunawayScenario } from './support/scenario.ts';
import { TcpGate } from './support/tcp-gate.ts';

const OUTAGE_MS = 60_000;

describe('fault: AWS unreachable for 60 s mid-brake', function () {
  let s: RunawayScenario;
  let op: OperatorProcess;
  let gate: TcpGate | undefined;

  before(async () => {
    s = await RunawayScenario.prepare('fault-aws');
    gate = new TcpGate(testEnv().awsEndpoint);
    await gate.open();
    op = await OperatorProcess.start({ namespace: s.ns, identity: 'aws-a' }, gate.endpoint);
    await s.createGuard({ cooldown: '10s' });
  });

  after(async () => {
    await op?.kill();
    await gate?.close();
    await s?.close();
  });

  it('keeps the hold, reports the outage in conditions and recovers', async () => {
    const g = gate!;
    s.startLoop();
    await s.waitForBrake();
    await poll('the runaway alert delivered', async () => s.deliveries().get('FIRING runaway') === 1 && (await s.pendingAlerts()) === 0, 60_000);
    const before = (await s.status())!.brake!;

    await g.close();
    await s.prometheusOutage(true);
    const closedAt = Date.now();
    // The ceilings controller cannot observe the group: Degraded says so, naming the cloud error.
    const failing = (c: { type: string; status: string; reason: string; at: number }): boolean => c.type === 'Degraded' && c.status === 'True' && c.reason.startsWith('Cloud') && c.at >= closedAt;
    await poll('Degraded reports the failing AWS calls', () => s.conditions.some(failing), OUTAGE_MS);
    const reportedMs = Date.now() - closedAt;
    // The outage lasts its full 60 s; each round checks that the brake still holds in status.
    const released: number[] = [];
    await poll('the end of the outage', async () => {
      if (!(await s.status())?.brake) released.push(Date.now() - closedAt);
      return Date.now() - closedAt >= OUTAGE_MS;
    }, OUTAGE_MS + 30_000, 1000);
    assert.deepEqual(released, [], 'the brake holds while AWS and the retry signal are unreachable');
    // Prometheus is the guard's only retry source: RunawayWatched says it is missing, and names it.
    const blind = (c: { type: string; status: string; reason: string; message: string; at: number }): boolean =>
      c.type === 'RunawayWatched' && c.status === 'False' && /^(SignalsUnavailable|RetrySignalsMissing)$/.test(c.reason) && /prometheus/.test(c.message) && c.at >= closedAt;
    assert.ok(s.conditions.some(blind), `RunawayWatched said the retry signal was missing: ${s.reasons('RunawayWatched').join(' → ')}`);
    assert.equal((await s.status())?.brake?.releaseStep, undefined, 'not one release step on missing data');
    await s.prometheusOutage(false);
    await g.open();
    const reopenedAt = Date.now();
    await poll('Degraded back to False', async () => (await s.status())?.conditions?.find((c) => c.type === 'Degraded')?.status === 'False', 60_000);
    const recoverMs = Date.now() - reopenedAt;

    const after = (await s.status())!;
    assert.deepEqual(after.brake?.saved, before.saved, 'the originals survive the outage');
    assert.equal(after.brake?.engagedAt, before.engagedAt);
    assert.equal(after.runaway?.state, 'Braking');
    assert.match(s.conditions.find(failing)!.message, /^Could not observe the targets: /);

    const { alerts, restoreMs } = await s.verifyAndRestore();
    record({
      fault: 'AWS (moto) unreachable for 60 s mid-brake (TCP gate closed, then reopened)',
      held: ['capacity ≤ hold (AWS kept the hold)', 'brake not released on missing data (cooldown 10 s, retry signal down 60 s)', `Degraded: ${s.reasons('Degraded').join(' → ')}`, `RunawayWatched: ${s.reasons('RunawayWatched').join(' → ')}`, 'original MaxSize restored on delete'],
      figures: {
        'outage → reported in Degraded': `${(reportedMs / 1000).toFixed(1)} s`,
        'reopen → Degraded False': `${(recoverMs / 1000).toFixed(1)} s`,
        'max capacity': s.capacityFigure(),
        'alerts delivered/incidents': alerts,
        'delete → original restored': `${(restoreMs / 1000).toFixed(1)} s`,
      },
    });
  });
});
