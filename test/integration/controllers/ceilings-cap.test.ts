// A tag selector that matches more groups than one guard acts on: the first MAX_TARGETS by name
// are clamped, the rest are never written, and the guard says so (TooManyTargets) in a status
// the API server accepts. Before the cap, 500+ matches made every status patch fail after the
// AWS writes had already happened.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { MAX_TARGETS } from '../../../src/controllers/shared/target-cap.ts';
import { createGroups, directClient } from '../cloud/fixtures.ts';
import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { createGuard, createNamespace, installCrds, startTestOperator, waitForCondition } from './helpers.ts';

describe('ceilings: at most MAX_TARGETS targets per guard', function () {
  this.timeout(180_000);
  const aws = directClient();
  let ns: string;
  let operator: RunningOperator;

  before(async () => {
    await installCrds();
    ns = await createNamespace('ceil-cap');
    operator = await startTestOperator(ns, { resync: '5s' });
  });

  after(async () => {
    await operator?.stop();
  });

  async function groupsTagged(team: string): Promise<AutoScalingGroup[]> {
    const out: AutoScalingGroup[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: [team] }], MaxRecords: 100, NextToken }));
      out.push(...(page.AutoScalingGroups ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out.sort((a, b) => (a.AutoScalingGroupName ?? '').localeCompare(b.AutoScalingGroupName ?? ''));
  }

  it('clamps the first 200 groups by name, never writes the other 5, and reports TooManyTargets with the count and the cap', async () => {
    const team = `t-${ns}`;
    const name = (i: number): string => `${ns}-g${String(i).padStart(3, '0')}`;
    await createGroups(aws, Array.from({ length: MAX_TARGETS + 5 }, (_, i) => ({ name: name(i), maxSize: 50, tags: { team } })));
    await createGuard(ns, 'wide', { mode: 'Enforce', scalingGroups: [{ tagSelector: { team }, maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'wide', { type: 'CeilingsEnforced', status: 'False', reason: 'TooManyTargets' }, 120_000);
    const condition = guard.status?.conditions?.find((c) => c.type === 'CeilingsEnforced');
    assert.match(condition?.message ?? '', /matches 205 targets; one guard acts on at most 200/);
    assert.match(condition?.message ?? '', new RegExp(`5 groups are left alone, never written: asg/${name(200)}, asg/${name(201)}`));
    assert.equal(guard.status?.scalingGroups?.length, MAX_TARGETS, 'the status write succeeded with 200 entries');
    const groups = await groupsTagged(team);
    assert.equal(groups.length, 205);
    assert.deepEqual(groups.slice(0, 200).filter((g) => g.MaxSize !== 20).map((g) => g.AutoScalingGroupName), [], 'every group within the cap is clamped');
    for (const g of groups.slice(200)) {
      assert.equal(g.MaxSize, 50, `${g.AutoScalingGroupName} beyond the cap keeps its MaxSize`);
      assert.deepEqual((g.Tags ?? []).filter((t) => t.Key?.startsWith('costguard.io/')), [], `${g.AutoScalingGroupName} carries no CostGuard record`);
    }
  });
});
