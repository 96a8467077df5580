// The webhook Secret: missing, without the key, holding something that is not an https URL —
// each gives AlertsReady False with a reason and a sentence that names the Secret and key,
// never the value; fixing the Secret makes it True and delivers what waited.
import assert from 'node:assert/strict';
import { ConditionType } from '../../../src/api/v1alpha1/index.ts';
import { SlackSink } from '../../support/slack-sink.ts';
import { COSTGUARD_RESOURCE } from '../../../src/controllers/resources.ts';
import { objectPath } from '../../../src/runtime/kube/resource.ts';
import {
  alert,
  condition,
  createGuard,
  createNamespace,
  createSecret,
  eventually,
  getGuard,
  installCrds,
  readOutbox,
  replaceSecret,
  rest,
  slackGuard,
  startAlerts,
  waitForCondition,
  waitForEvents,
  type RunningAlerts,
} from './helpers.ts';

describe('alerts: the webhook Secret', function () {
  this.timeout(60_000);
  let ns = '';
  let running: RunningAlerts;
  let sink: SlackSink;

  before(async () => {
    await installCrds();
    ns = await createNamespace('alerts-secret');
    sink = await new SlackSink().start();
    running = await startAlerts(ns);
  });

  after(async () => {
    await running?.stop();
    await sink?.stop();
  });

  it('missing Secret: SecretNotFound; created: SlackReady, and the waiting alert goes out', async () => {
    const guard = await slackGuard(ns, 'missing');
    await running.notifier.fire(guard, alert('runaway'));
    const g = await waitForCondition(ns, 'missing', { type: ConditionType.AlertsReady, status: 'False', reason: 'SecretNotFound' });
    assert.equal(condition(g, ConditionType.AlertsReady)?.message, `Secret ${ns}/missing-slack does not exist (spec.alerts.slack.webhookSecretRef).`);
    assert.equal(condition(g, ConditionType.Ready)?.status, 'False');
    await createSecret(ns, 'missing-slack', { url: sink.url });
    await waitForCondition(ns, 'missing', { type: ConditionType.AlertsReady, status: 'True', reason: 'SlackReady' });
    await sink.waitFor('the alert that waited', (r) => r.some((x) => x.status === 200));
  });

  it('a Secret without the key: SecretKeyMissing', async () => {
    await createSecret(ns, 'nokey-slack', { webhook: sink.url });
    await slackGuard(ns, 'nokey');
    const g = await waitForCondition(ns, 'nokey', { type: ConditionType.AlertsReady, status: 'False', reason: 'SecretKeyMissing' });
    assert.equal(condition(g, ConditionType.AlertsReady)?.message, `Secret ${ns}/nokey-slack has no key "url" (spec.alerts.slack.webhookSecretRef.key).`);
  });

  it('a malformed URL: WebhookURLInvalid, and the value appears nowhere in status', async () => {
    const bad = 'hooks.slack.com/services/T111/B222/not-a-url-secret-token';
    await createSecret(ns, 'bad-slack', { url: bad });
    await slackGuard(ns, 'bad');
    const g = await waitForCondition(ns, 'bad', { type: ConditionType.AlertsReady, status: 'False', reason: 'WebhookURLInvalid' });
    assert.match(condition(g, ConditionType.AlertsReady)?.message ?? '', /is not an https URL/);
    assert.ok(!JSON.stringify(g).includes('not-a-url-secret-token'));
    await replaceSecret(ns, 'bad-slack', { url: sink.url });
    await waitForCondition(ns, 'bad', { type: ConditionType.AlertsReady, status: 'True', reason: 'SlackReady' });
  });

  it('Slack removed from the spec: waiting messages are dropped, AlertsReady EventsOnly; alerts removed: no AlertsReady', async () => {
    const guard = await slackGuard(ns, 'removed');
    await running.notifier.fire(guard, alert('runaway'));
    await waitForCondition(ns, 'removed', { type: ConditionType.AlertsReady, status: 'False', reason: 'SecretNotFound' });
    assert.equal((await readOutbox(ns, 'removed')).pending.length, 1);
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'removed'), { spec: { alerts: { slack: null } } }, 'application/merge-patch+json');
    await waitForCondition(ns, 'removed', { type: ConditionType.AlertsReady, status: 'True', reason: 'EventsOnly' });
    await eventually('the outbox emptied', async () => ((await readOutbox(ns, 'removed')).pending.length === 0 ? true : undefined));
    await rest().patch(objectPath(COSTGUARD_RESOURCE, ns, 'removed'), { spec: { alerts: null } }, 'application/merge-patch+json');
    await eventually('AlertsReady removed', async () => (condition(await getGuard(ns, 'removed'), ConditionType.AlertsReady) ? undefined : true));
  });

  it('an outbox name taken by a ConfigMap the guard does not own: OutboxNameTaken, and the Event still goes out', async () => {
    await rest().create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'costguard-taken-alerts', namespace: ns }, data: { mine: 'yes' } });
    await createSecret(ns, 'taken-slack', { url: sink.url });
    const guard = await slackGuard(ns, 'taken');
    await running.notifier.fire(guard, alert('runaway'));
    await waitForEvents(ns, 'taken', 'AlertFiring');
    const g = await waitForCondition(ns, 'taken', { type: ConditionType.AlertsReady, status: 'False', reason: 'OutboxNameTaken' });
    assert.match(condition(g, ConditionType.AlertsReady)?.message ?? '', new RegExp(`ConfigMap ${ns}/costguard-taken-alerts exists and is not owned by this CostGuard`));
    const cm = await rest().get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/costguard-taken-alerts`);
    assert.deepEqual(cm.data, { mine: 'yes' }, 'never taken over');
  });

  it('alerts without Slack: AlertsReady True (EventsOnly)', async () => {
    await createGuard(ns, 'events-only', { mode: 'DryRun', workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 5 }], alerts: { repeatInterval: '30m' } });
    await waitForCondition(ns, 'events-only', { type: ConditionType.AlertsReady, status: 'True', reason: 'EventsOnly' });
  });
});
