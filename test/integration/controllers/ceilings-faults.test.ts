// AWS failures, injected by a fault proxy in front of moto: throttling and 5xx end in backoff
// and a Degraded condition, never in a wrong clamp; the guard recovers when AWS does. A
// validation error is not retried as if it were transient: reported once, sent again when the
// guard changes.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { FaultProxy } from '../../support/fault-proxy.ts';
import { testEnv } from '../../harness/env.ts';
import { createGroups, directClient, readGroup } from '../cloud/fixtures.ts';
import { createGuard, createNamespace, eventsFor, eventually, getGuard, installCrds, moreReconciles, rest, startTestOperator, waitForCondition } from './helpers.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath } from '../../../src/runtime/kube/resource.ts';
import { ContentType } from '../../../src/runtime/kube/rest.ts';

describe('ceilings: AWS faults', function () {
  const aws = directClient();
  let ns: string;
  let proxy: FaultProxy;
  let operator: RunningOperator;
  const asg = (suffix: string): string => `${ns}-${suffix}`;

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('ceil-fault');
    proxy = await FaultProxy.start(testEnv().awsEndpoint);
    operator = await startTestOperator(ns, { awsEndpoint: proxy.endpoint });
  });

  after(async () => {
    await operator?.stop();
    await proxy?.close();
  });

  afterEach(() => proxy.reset());

  const errorCount = async (): Promise<number> => {
    const text = await operator.manager.metrics.registry.getSingleMetricAsString('costguard_reconcile_errors_total');
    return Number(/controller="ceilings"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it('throttled reads: Degraded with the reason, backoff, no clamp; then recovery', async () => {
    await createGroups(aws, [{ name: asg('throttled'), maxSize: 40 }]);
    proxy.inject({ code: 'Throttling', message: 'Rate exceeded', action: 'DescribeAutoScalingGroups', times: 10_000 });
    const errorsBefore = await errorCount();
    await createGuard(ns, 'throttled', { mode: 'Enforce', scalingGroups: [{ name: asg('throttled'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'throttled', { type: 'Degraded', status: 'True' });
    const degraded = guard.status?.conditions?.find((c) => c.type === 'Degraded');
    assert.match(degraded?.reason ?? '', /^Cloud(Throttled|Unavailable)$/);
    assert.match(degraded?.message ?? '', /DescribeAutoScalingGroups/);
    assert.equal((await readGroup(aws, asg('throttled')))?.MaxSize, 40, 'nothing is clamped on a failed read');
    assert.equal(proxy.count('UpdateAutoScalingGroup'), 0);
    assert.ok((await errorCount()) > errorsBefore, 'the failure is a reconcile error (requeued with backoff)');
    proxy.reset();
    await eventually('clamped after AWS recovers', async () => (await readGroup(aws, asg('throttled')))?.MaxSize === 20, 40_000);
    await waitForCondition(ns, 'throttled', { type: 'Degraded', status: 'False' }, 40_000);
  });

  it('5xx on the write: the clamp is reported failed, status does not claim it, and it is retried', async () => {
    await createGroups(aws, [{ name: asg('writefail'), maxSize: 40 }]);
    proxy.inject({ status: 500, code: 'InternalFailure', action: 'UpdateAutoScalingGroup', times: 10_000 });
    await createGuard(ns, 'writefail', { mode: 'Enforce', scalingGroups: [{ name: asg('writefail'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'writefail', { type: 'Degraded', status: 'True', reason: 'ActionFailed' });
    const entry = guard.status?.scalingGroups?.[0];
    assert.equal(entry?.maxSize, 40);
    assert.equal(entry?.clamped, false);
    // Enforce tried and failed: lastAction says so, and why; it never reads like a DryRun.
    assert.equal(entry?.lastAction?.reason, 'ActionFailed');
    assert.match(entry?.lastAction?.message ?? '', /^could not clamp MaxSize 40 → 20 \(AboveCeiling\): the write failed \(.*InternalFailure.*\); nothing changed, CostGuard retries\.$/);
    assert.doesNotMatch(entry?.lastAction?.message ?? '', /DryRun/);
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CeilingsEnforced')?.message ?? '', new RegExp(`^Could not clamp: asg/${asg('writefail')}: .*InternalFailure`));
    const group = await readGroup(aws, asg('writefail'));
    assert.equal(group?.MaxSize, 40);
    // The record went onto the group before the failed write, so the original can never be lost.
    assert.equal(group?.Tags?.find((t) => t.Key === 'costguard.io/original-max-size')?.Value, '40');
    const attempts = proxy.count('UpdateAutoScalingGroup');
    assert.ok(attempts >= 1);
    proxy.reset();
    await eventually('clamped once writes succeed', async () => (await readGroup(aws, asg('writefail')))?.MaxSize === 20, 40_000);
    const healed = await waitForCondition(ns, 'writefail', { type: 'CeilingsEnforced', status: 'True' }, 40_000);
    assert.equal(healed.status?.scalingGroups?.[0]?.originalMaxSize, 40);
    assert.equal((await getGuard(ns, 'writefail')).status?.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
  });

  it('a validation error on the write: one event, not sent again while nothing changes; sent again when the guard changes', async () => {
    await createGroups(aws, [{ name: asg('invalid'), maxSize: 40 }]);
    proxy.inject({ status: 400, code: 'ValidationError', action: 'UpdateAutoScalingGroup', times: 10_000 });
    await createGuard(ns, 'invalid', { mode: 'Enforce', scalingGroups: [{ name: asg('invalid'), maxSize: 20 }] });
    const guard = await waitForCondition(ns, 'invalid', { type: 'CeilingsEnforced', status: 'False', reason: 'ActionFailed' });
    assert.match(guard.status?.conditions?.find((c) => c.type === 'CeilingsEnforced')?.message ?? '', /refused as invalid: .*ValidationError.*sent again when the guard or the target changes/);
    // The first attempt tags the record (and its holders) before the refused update, so the
    // group changed: the write may be sent once more, and then no more while nothing changes.
    await moreReconciles(operator, 2);
    const errorsBefore = await errorCount();
    const sent = proxy.count('UpdateAutoScalingGroup');
    assert.ok(sent >= 1 && sent <= 2, `${sent} attempts`);
    await moreReconciles(operator, 5);
    assert.equal(proxy.count('UpdateAutoScalingGroup'), sent, 'not sent again while nothing changed');
    assert.equal(await errorCount(), errorsBefore, 'not a reconcile error');
    assert.equal((await eventsFor(ns, 'invalid')).filter((e) => e.reason === 'ClampFailed').length, 1);
    // The guard changes (a new generation): the write is sent again, and now AWS takes it.
    proxy.reset();
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'invalid'), { spec: { scalingGroups: [{ name: asg('invalid'), maxSize: 25 }] } }, ContentType.mergePatch);
    await eventually('clamped once the guard changed', async () => (await readGroup(aws, asg('invalid')))?.MaxSize === 25, 40_000);
    await waitForCondition(ns, 'invalid', { type: 'CeilingsEnforced', status: 'True' });
  });
});
