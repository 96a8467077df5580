// Webhook URLs are credentials. The whole operator runs with Slack alerts flowing through every
// path (delivered, 500, 429, invalid_payload, a webhook that never answers), and then
// everything it emitted — its logs at debug level, the Events, the guards' status, its
// ConfigMaps and the /metrics text — is searched for the URLs and their tokens.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { freePort } from '../../../hack/localenv/index.ts';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { ConditionType } from '../../../src/api/v1alpha1/index.ts';
import { createLogger } from '../../../src/runtime/logger.ts';
import { testEnv } from '../../harness/env.ts';
import { testConfig } from '../runtime/helpers.ts';
import { Answers, SlackSink } from '../../support/slack-sink.ts';
import { alert, alertsReconciles, createNamespace, createSecret, eventually, installCrds, readOutbox, rest, slackGuard, waitForCondition } from './helpers.ts';

describe('alerts: the webhook URL never leaks', function () {
  this.timeout(120_000);
  let ns = '';
  let sink: SlackSink;
  let operator: RunningOperator | undefined;
  let logs = '';

  before(async () => {
    await installCrds();
    ns = await createNamespace('alerts-redaction');
    sink = await new SlackSink('T0REDACT/B0REDACT/sinktoken0123456789abcdef').start();
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    operator = await startOperator({
      config: testConfig(ns, ['--resync-period=1s', '--log-level=debug']),
      kubeConfig: testEnv().kubeConfig,
      defaultRegion: 'us-east-1',
      log: createLogger('debug', destination),
      alerts: { sender: { resetTimeoutMs: 2000, timeoutMs: 2000 } },
    });
  });

  after(async () => {
    await operator?.stop();
    await sink?.stop();
  });

  it('appears in no log line, Event, status, ConfigMap or metric', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}/services/T0DEAD/B0DEAD/deadtoken0123456789abcdef`;
    await createSecret(ns, 'live-slack', { url: sink.url });
    await createSecret(ns, 'dead-slack', { url: deadUrl });
    const live = await slackGuard(ns, 'live', { mention: '<!here>' });
    const dead = await slackGuard(ns, 'dead');
    const notifier = operator!.notifier;

    sink.next(Answers.serverError(), Answers.rateLimited(1), Answers.invalidPayload());
    for (const i of [1, 2, 3]) await notifier.fire(live, alert(`live-${i}`));
    await notifier.resolve(live, 'live-1', 'Signals healthy again.');
    for (const i of [1, 2]) await notifier.fire(dead, alert(`dead-${i}`));

    await sink.waitFor('every path: 500, 429, invalid_payload, then deliveries', (r) => r.filter((x) => x.status === 200).length >= 2 && r.length >= 5);
    await waitForCondition(ns, 'dead', { type: ConditionType.AlertsReady, status: 'False', reason: 'SlackUnavailable' }, 40_000);
    await eventually('retries to the dead webhook', async () => ((await readOutbox(ns, 'dead')).pending[0]?.attempts ?? 0) >= 2 ? true : undefined, 40_000);
    const seen = await alertsReconciles(operator!.manager);
    await eventually('more reconciles', async () => ((await alertsReconciles(operator!.manager)) >= seen + 2 ? true : undefined));

    const events = JSON.stringify(await rest().get(`/apis/events.k8s.io/v1/namespaces/${ns}/events`));
    const coreEvents = JSON.stringify(await rest().get(`/api/v1/namespaces/${ns}/events`));
    const guards = JSON.stringify(await rest().get(`/apis/costguard.io/v1alpha1/namespaces/${ns}/costguards`));
    const configMaps = JSON.stringify(await rest().get(`/api/v1/namespaces/${ns}/configmaps`));
    const metrics = await operator!.manager.metrics.registry.metrics();

    // Positive controls: each capture holds what the run produced.
    assert.match(logs, /"msg":"slack delivery"/);
    assert.match(logs, /"result":"unavailable"/);
    assert.match(events, /AlertFiring/);
    assert.match(guards, /SlackUnavailable/);
    assert.match(configMaps, /outbox\.json/);
    assert.match(metrics, /costguard_alerts_sent_total\{result="delivered"\} [1-9]/);
    assert.match(metrics, /costguard_alerts_sent_total\{result="payload_rejected"\} 1/);

    const secrets = [sink.url, sink.token, 'sinktoken0123456789abcdef', deadUrl, 'deadtoken0123456789abcdef', `127.0.0.1:${new URL(sink.url).port}/services`];
    const emitted = { logs, events, coreEvents, guards, configMaps, metrics };
    for (const [where, text] of Object.entries(emitted)) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains ${secret}`);
    }
  });
});
