// The check that keeps the chart's alerts tested: an alert needs a promtool test that expects
// it firing and one that expects it quiet.
import assert from 'node:assert/strict';
import { alertNames, testedAlerts, untestedAlerts } from '../../../hack/prometheus/rules.ts';

describe('prometheus rules: every alert tested', () => {
  const groups = [
    { name: 'a', rules: [{ alert: 'One' }, { record: 'job:rate' }] },
    { name: 'b', rules: [{ alert: 'Two' }] },
  ];

  it('lists the alerts of the rule groups, not the recording rules', () => {
    assert.deepEqual(alertNames(groups), ['One', 'Two']);
  });

  it('sorts a test case by whether it expects alerts', () => {
    const tested = testedAlerts([
      { tests: [{ alert_rule_test: [{ alertname: 'One', exp_alerts: [{}] }, { alertname: 'One', exp_alerts: [] }, { alertname: 'Two' }] }] },
    ]);
    assert.deepEqual([...tested.firing], ['One']);
    assert.deepEqual([...tested.quiet].sort(), ['One', 'Two']);
  });

  it('names each alert without a firing or a quiet test', () => {
    const tested = testedAlerts([{ tests: [{ alert_rule_test: [{ alertname: 'One', exp_alerts: [{}] }, { alertname: 'Two', exp_alerts: [] }] }] }]);
    assert.deepEqual(untestedAlerts(alertNames(groups), tested), ['One: no test shows it not firing', 'Two: no test shows it firing']);
  });

  it('passes when every alert has both', () => {
    const tested = testedAlerts([{ tests: [{ alert_rule_test: ['One', 'Two'].flatMap((a) => [{ alertname: a, exp_alerts: [{}] }, { alertname: a, exp_alerts: [] }]) }] }]);
    assert.deepEqual(untestedAlerts(alertNames(groups), tested), []);
  });
});
