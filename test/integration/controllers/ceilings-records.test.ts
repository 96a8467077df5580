// Originals live on the targets themselves, Restore puts back only what CostGuard set, and
// two guards on one target never fight. Real API server + moto.
import assert from 'node:assert/strict';
import { DeleteTagsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { condition, createGuard, createNamespace, deleteGuard as deleteGuardIn, eventsFor, eventually, getGuard, installCrds, kubectl, moreReconciles, rest, startTestOperator, waitForCondition, waitForEvents } from './helpers.ts';
import { refuseStatusPolicy } from '../../support/status-policy.ts';

const ORIGINAL = 'costguard.io/original-max-size';

describe('ceilings: records on the targets, restore, two guards', function () {
  const aws = directClient();
  let ns: string;
  let operator: RunningOperator | undefined;
  const asg = (suffix: string): string => `${ns}-${suffix}`;
  const maxSizeOf = async (name: string): Promise<number | undefined> => (await readGroup(aws, name))?.MaxSize;
  const tagOf = async (name: string, key: string): Promise<string | undefined> => (await readGroup(aws, name))?.Tags?.find((t) => t.Key === key)?.Value;
  const deleteGuard = (name: string): Promise<void> => deleteGuardIn(ns, name);

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-rec');
    operator = await startTestOperator(ns);
  });

  after(async () => {
    await operator?.stop();
  });

  it('restores every original from the groups\' own tags when status lost them and a group stopped matching', async function () {
    this.timeout(120_000);
    const team = `t-${ns}`;
    const specs = Array.from({ length: 20 }, (_, i) => ({ name: asg(`lost-${i}`), maxSize: 50, tags: { team } }));
    await createGroups(aws, specs);
    await createGuard(ns, 'lost', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ tagSelector: { team }, maxSize: 20 }] });
    await eventually('all clamped', async () => (await Promise.all(specs.map((s) => maxSizeOf(s.name)))).every((m) => m === 20), 60_000);
    assert.equal(await tagOf(asg('lost-0'), ORIGINAL), '50');
    assert.equal(await tagOf(asg('lost-0'), 'costguard.io/owner'), `${ns}/lost`);
    // The operator goes away; status loses every original (as if its write had failed) and
    // one group stops matching the selector. A new operator must still restore all 20.
    await operator!.stop();
    operator = undefined;
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'lost', 'status'), { status: { scalingGroups: null } }, ContentType.mergePatch);
    await aws.send(new DeleteTagsCommand({ Tags: [{ ResourceId: asg('lost-7'), ResourceType: 'auto-scaling-group', Key: 'team' }] }));
    assert.equal((await getGuard(ns, 'lost')).status?.scalingGroups, undefined);
    operator = await startTestOperator(ns);
    await deleteGuard('lost');
    assert.deepEqual(await Promise.all(specs.map((s) => maxSizeOf(s.name))), specs.map(() => 50));
    assert.equal(await tagOf(asg('lost-7'), ORIGINAL), undefined, 'the record is removed after restoring');
    const restored = (await waitForEvents(ns, 'lost', 'Restored')).map((e) => e.note).join('\n');
    assert.match(restored, new RegExp(`asg/${asg('lost-0')}, .* and 15 more MaxSize 20 → 50 \\(the recorded original\\)`));
  });

  it('restores every original when the API server refuses the status write after the clamp', async function () {
    this.timeout(90_000);
    const team = `s-${ns}`;
    const specs = Array.from({ length: 5 }, (_, i) => ({ name: asg(`refused-${i}`), maxSize: 50, tags: { team } }));
    await createGroups(aws, specs);
    // A real admission policy, not a fake: status writes of guards with this label are denied.
    const policy = `refuse-status-${ns}`;
    const label = 'test.costguard.io/refuse-status';
    await kubectl(['apply', '-f', '-'], refuseStatusPolicy(policy, `!has(object.metadata.labels) || !('${label}' in object.metadata.labels)`, 'status writes refused by the test'));
    const labelled = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
      rest().create(collectionPath(COSTGUARD_RESOURCE, ns), { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name, namespace: ns, labels: { [label]: 'true' } }, spec });
    try {
      // The policy is in force once a status write of a labelled probe is refused.
      await labelled('probe', { mode: 'DryRun', scalingGroups: [{ name: asg('no-such-group'), maxSize: 1 }] });
      await eventually('the policy refuses a status write', async () =>
        rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'probe', 'status'), { status: { effectiveMode: 'DryRun' } }, ContentType.mergePatch).then(() => false, (err: unknown) => /status writes refused/.test(String(err))),
      );
      await labelled('refused', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ tagSelector: { team }, maxSize: 20 }] });
      await eventually('all clamped', async () => (await Promise.all(specs.map((s) => maxSizeOf(s.name)))).every((m) => m === 20), 60_000);
      await moreReconciles(operator!, 3);
      assert.equal((await getGuard(ns, 'refused')).status?.scalingGroups, undefined, 'no status write got through');
      await deleteGuard('refused');
      assert.deepEqual(await Promise.all(specs.map((s) => maxSizeOf(s.name))), specs.map(() => 50));
      assert.deepEqual(await Promise.all(specs.map((s) => tagOf(s.name, ORIGINAL))), specs.map(() => undefined), 'the records are removed after restoring');
    } finally {
      await kubectl(['delete', `validatingadmissionpolicybinding/${policy}`, `validatingadmissionpolicy/${policy}`, '--ignore-not-found']);
      await deleteGuard('probe').catch(() => undefined);
    }
  });

  it('restore leaves a value someone lowered since, gives back a live count it lowered, and says so', async () => {
    await createGroups(aws, [{ name: asg('hand'), maxSize: 40 }]);
    await rest().create(collectionPath(Resources.deployments, ns), {
      metadata: { name: 'web' },
      spec: { replicas: 45, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'w', image: 'busybox' }] } } },
    });
    await createGuard(ns, 'hand', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: asg('hand'), maxSize: 20 }], workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 30 }] });
    await waitForCondition(ns, 'hand', { type: 'CeilingsEnforced', status: 'True' });
    assert.equal(await maxSizeOf(asg('hand')), 20);
    await aws.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asg('hand'), MaxSize: 10 }));
    await deleteGuard('hand');
    assert.equal(await maxSizeOf(asg('hand')), 10, 'lowered by hand: stays lowered');
    const web = await rest().get<{ spec: { replicas: number }; metadata: { annotations?: Record<string, string> } }>(objectPath(Resources.deployments, ns, 'web'));
    assert.equal(web.spec.replicas, 45, 'what CostGuard lowered (45 → 30) it gives back');
    assert.equal(web.metadata.annotations?.['costguard.io/original-ceiling'], undefined);
    const note = (await waitForEvents(ns, 'hand', 'Restored'))[0]?.note ?? '';
    assert.match(note, new RegExp(`left asg/${asg('hand')} MaxSize: changed since CostGuard set 20 \\(now 10\\)`));
    assert.match(note, /Deployment\/web spec\.replicas 30 → 45 \(the recorded original\)/);
  });

  it('two guards on one group: the lowest applies, both report it, and deleting one never raises above the other', async function () {
    this.timeout(90_000);
    await createGroups(aws, [{ name: asg('shared'), maxSize: 50 }]);
    await createGuard(ns, 'high', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: asg('shared'), maxSize: 20 }] });
    await createGuard(ns, 'low', { mode: 'Enforce', onDelete: 'Restore', scalingGroups: [{ name: asg('shared'), maxSize: 10 }] });
    await eventually('the lowest ceiling applies', async () => (await maxSizeOf(asg('shared'))) === 10);
    const high = await waitForCondition(ns, 'high', { type: 'CeilingsEnforced', status: 'True', reason: 'Conflict' });
    assert.match(condition(high, 'CeilingsEnforced')?.message ?? '', new RegExp(`asg/${asg('shared')} \\(also guarded by ${ns}/low\\)`));
    const low = await waitForCondition(ns, 'low', { type: 'CeilingsEnforced', status: 'True', reason: 'Conflict' });
    assert.match(condition(low, 'CeilingsEnforced')?.message ?? '', new RegExp(`also guarded by ${ns}/high`));
    // Several resyncs with both guards (counted, not slept): the value never moves between them.
    await moreReconciles(operator!, 6);
    assert.equal(await maxSizeOf(asg('shared')), 10);
    assert.equal(await tagOf(asg('shared'), ORIGINAL), '50');

    await deleteGuard('low');
    assert.equal(await maxSizeOf(asg('shared')), 20, 'up to the remaining guard\'s ceiling, not to the original');
    assert.equal(await tagOf(asg('shared'), ORIGINAL), '50', 'the original stays recorded for the remaining guard');
    assert.equal(await tagOf(asg('shared'), 'costguard.io/owner'), `${ns}/high`);
    await waitForCondition(ns, 'high', { type: 'CeilingsEnforced', status: 'True', reason: 'WithinCeilings' });
    const highEvents = await eventsFor(ns, 'high');
    assert.equal(highEvents.filter((e) => e.reason === 'DriftReverted').length, 0, 'the remaining guard does not call it drift');

    await deleteGuard('high');
    assert.equal(await maxSizeOf(asg('shared')), 50);
    assert.equal(await tagOf(asg('shared'), ORIGINAL), undefined);
    await waitForEvents(ns, 'high', 'Restored');
  });
});
