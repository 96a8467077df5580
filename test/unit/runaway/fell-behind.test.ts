// A fleet that falls behind a load it kept up with is in trouble, even before its throughput
// drops past the calm's noise or a retry shows: a slowing downstream first shows as a backlog
// forming at the same demand, and target tracking (on backlog or CPU) answers that. A backlog
// that more demand explains is a crowd, not trouble of the fleet's own.
import assert from 'node:assert/strict';
import { assess } from '../../../src/controllers/runaway/detect.ts';
import { calmBacklog, fellBehind, keptUpPart } from '../../../src/controllers/runaway/window.ts';
import type { Sample } from '../../../src/signals/sample.ts';

/** [t, capacity, sent, deleted, visible] */
const s = ([t, capacity, sent, deleted, visible]: [number, number, number, number, number]): Sample => ({ t, desired: capacity, in_service: capacity, sqs_sent: sent, sqs_received: deleted, sqs_deleted: deleted, sqs_visible: visible });

/** Ten calm samples: 4 instances keep up with about 600 messages a sample, the queue near empty. */
const CALM = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => s([i * 30, 4, 600 + ((i * 7) % 21) - 10, 600 + ((i * 5) % 17) - 8, i % 3]));

describe('detector: a fleet fallen behind is in trouble', () => {
  const backlog = calmBacklog(CALM)!;

  it('fellBehind: a backlog above the calm depth at the calm demand, and nothing else', () => {
    const z = 2.326;
    const before = s([270, 4, 610, 590, 60]);
    assert.equal(fellBehind(s([300, 4, 610, 590, 90]), before, backlog, z), true, 'a backlog growing at calm demand');
    assert.equal(fellBehind(s([300, 4, 610, 590, 90]), undefined, backlog, z), true, 'a backlog at calm demand, nothing before it in the window');
    assert.equal(fellBehind(s([300, 4, 900, 600, 300]), before, backlog, z), false, 'a backlog that more demand explains');
    assert.equal(fellBehind(s([300, 4, 610, 700, 40]), before, backlog, z), false, 'a backlog left over and draining at calm demand');
    assert.equal(fellBehind(s([300, 4, 610, 600, 52]), before, backlog, z), true, 'a dip within the count\'s own noise (√60) is not draining');
    assert.equal(fellBehind(s([300, 4, 610, 600, 3]), before, backlog, z), false, 'depth within the calm spread');
    assert.equal(fellBehind({ t: 300, desired: 4, sqs_visible: 90 }, before, backlog, z), undefined, 'no demand observed: cannot tell');
    assert.equal(calmBacklog(CALM.map(({ sqs_visible: _, ...rest }) => rest)), undefined, 'no depth in the calm: no test');
  });

  const grow = (sent: number): Sample[] => [
    ...CALM,
    // The fleet finishes about as much as before (not "slow" past the calm noise), yet the queue grows.
    s([300, 4, sent, 599, 30]), s([330, 4, sent, 601, 60]), s([360, 4, sent, 598, 90]),
    // Target tracking adds capacity.
    s([390, 6, sent, 600, 110]), s([420, 6, sent, 602, 130]),
  ];

  it('capacity added after the fleet fell behind at the same demand answered trouble', () => {
    const a = assess(grow(610), 420, { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30 });
    assert.equal(a.legs?.answeredTrouble, true);
  });

  it('capacity added for a crowd (demand up 50 %) did not answer trouble of the fleet', () => {
    const a = assess(grow(900), 420, { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30 });
    assert.equal(a.legs?.answeredTrouble, false);
  });

  it('judges falling behind only against a calm that kept up: not against a crowd the window has slid into', () => {
    // Two samples before a crowd, then the crowd (4× the messages) while the group still has 4
    // instances, then target tracking adds capacity and the crowd's backlog keeps growing. The
    // 6-minute window's calm part is mostly the crowd: its demand is the crowd's level.
    const crowd = (t: number, capacity: number, depth: number): Sample => s([t, capacity, 2400, 800 + 10 * (capacity - 4), depth]);
    const samples = [
      s([30, 4, 600, 600, 1]), s([60, 4, 605, 598, 0]),
      crowd(90, 4, 1600), crowd(120, 4, 3200), crowd(150, 4, 4800),
      crowd(180, 6, 6390), crowd(210, 6, 7970), crowd(240, 8, 9550), crowd(270, 8, 11100),
    ];
    assert.equal(keptUpPart(samples.slice(0, 5), 2.326, 3), undefined, 'the crowd at the end of the calm is stripped, too little is left');
    const a = assess(samples, 270, { windowSeconds: 360, retryBudgetPercent: 10, intervalSeconds: 30 });
    assert.equal(a.legs?.answeredTrouble, false, 'growth for the crowd did not answer trouble of the fleet');
  });
});
