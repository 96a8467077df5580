// The brake at the settings a user installs: the default 30 s resync and 30 s sampling, in real
// time, with target tracking played at a real pace (2 instances every 15 s). The fault suite's
// short intervals hide what a stale sample does at these settings: a freeze pinned at a value
// the group has already outgrown terminates what target tracking added meanwhile. The whole
// life of an incident is checked: FIRING, the freeze, the stepped release, RESOLVED, each
// alert delivered once, and no instance ever terminated by a write of CostGuard's.
import assert from 'node:assert/strict';
import { testEnv } from '../harness/env.ts';
import { readGroup } from '../integration/cloud/fixtures.ts';
import { waitForEvents } from '../integration/controllers/helpers.ts';
import { OperatorProcess } from './support/operator.ts';
import { poll } from '../support/poll.ts';
import { record } from './support/results.ts';
import { CEILING, ORIGINAL_MAX, RunawayScenario } from './support/scenario.ts';

const MINUTE = 60_000;

describe('fault: none, at the user\'s settings (30 s resync, 30 s sampling, real time)', function () {
  this.timeout(20 * MINUTE);
  let s: RunawayScenario;
  let op: OperatorProcess | undefined;

  before(async function () {
    this.timeout(6 * MINUTE);
    s = await RunawayScenario.prepare('fault-defaults');
    s.step = 2;
    s.tickMs = 15_000;
    op = await OperatorProcess.start({ namespace: s.ns, identity: 'defaults', defaults: true }, testEnv().awsEndpoint);
    await s.createGuard({ cooldown: '1m', timeoutMs: 5 * MINUTE });
  });

  after(async () => {
    await op?.kill();
    await s?.close();
  });

  it('FIRING → freeze → release steps → RESOLVED, each alert once, and no write below what runs', async () => {
    s.startLoop();
    const onset = Date.now();
    const frozen = await s.waitForBrake(8 * MINUTE);
    const engagedAt = Date.parse((await s.status())!.brake!.engagedAt);
    const frozenAtMs = s.holdAppliedAt! - engagedAt;
    await poll('the runaway alert delivered', () => s.deliveries().get('FIRING runaway') === 1, 2 * MINUTE);
    // Target tracking keeps pushing for a few ticks against the freeze.
    const seen = s.samples.length;
    await poll('four more ticks against the freeze', () => s.samples.length >= seen + 4, 3 * MINUTE);
    const during = s.containment();
    assert.deepEqual(during.overHold, [], `capacity above the freeze at ${frozen}`);

    s.recover();
    const recoveredAt = Date.now();
    await poll('the brake released', async () => (await s.status())?.brake === undefined, 12 * MINUTE, 2000);
    const releasedMs = Date.now() - recoveredAt;
    await poll('the group back at its ceiling', async () => (await readGroup(s.aws, s.asg))?.MaxSize === CEILING, 2 * MINUTE);
    await poll('RESOLVED delivered', async () => s.deliveries().get('RESOLVED runaway') === 1 && (await s.pendingAlerts()) === 0, 2 * MINUTE);
    const steps = await waitForEvents(s.ns, s.guard, 'BrakeReleasing');
    await waitForEvents(s.ns, s.guard, 'BrakeReleased');
    await s.stopLoop();

    const c = s.containment();
    assert.deepEqual(c.scaleIns, [], 'no instance terminated: no write ever set MaxSize below what ran');
    assert.deepEqual(c.overCeiling, []);
    // The driver samples every tick; the last step to the ceiling was read above.
    const raised = [...new Set([...s.samples.filter((x) => x.at >= s.holdAppliedAt!).map((x) => x.maxSize), CEILING])];
    assert.ok(raised.length >= 4, `MaxSize rose in steps from the freeze to the ceiling: ${raised.join(' → ')}`);
    assert.deepEqual(raised, [...raised].sort((a, b) => a - b), `never lowered during the release: ${raised.join(' → ')}`);
    assert.deepEqual([...s.deliveries()].sort(), [['FIRING runaway', 1], ['RESOLVED runaway', 1]], 'each alert delivered once');
    assert.equal(await s.originalTag(), String(ORIGINAL_MAX), 'the original recorded on the group survives the brake');
    record({
      fault: 'none: a whole incident at the default 30 s resync and 30 s sampling, in real time (target tracking +2 every 15 s)',
      held: ['no scale-in from a write', 'capacity ≤ freeze until the release', `release in steps: MaxSize ${raised.join(' → ')}`, 'FIRING and RESOLVED each delivered once'],
      figures: {
        'onset → freeze on the group': `${((s.holdAppliedAt! - onset) / 1000).toFixed(0)} s`,
        'brake engaged → freeze on the group': `${(frozenAtMs / 1000).toFixed(1)} s`,
        'froze at / sampled': `${frozen} / ${s.sampledHold}`,
        'recovery → brake released': `${(releasedMs / 1000).toFixed(0)} s (${steps.length} release-step events)`,
        'max capacity': s.capacityFigure(),
      },
    });
  });
});
