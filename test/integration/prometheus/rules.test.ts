// The chart's PrometheusRule against Prometheus's own tooling: `promtool check rules` accepts
// the rendered groups, `promtool test rules` passes test/prometheus/*.test.yaml, and those
// tests show every alert of the chart both firing and not firing.
import assert from 'node:assert/strict';
import { checkChartRules } from '../../../hack/prometheus/rules.ts';

describe('prometheus: the chart\'s alerting rules under promtool', function () {
  this.timeout(60_000);

  it('pass promtool check and test, and every alert is tested firing and not firing', async () => {
    const r = await checkChartRules();
    assert.equal(r.check.code, 0, r.check.output);
    assert.match(r.check.output, new RegExp(`SUCCESS: ${r.alerts.length} rules found`));
    assert.equal(r.test.code, 0, r.test.output);
    assert.deepEqual(r.untested, []);
    assert.deepEqual(r.alerts.sort(), ['CostGuardBrakeEngaged', 'CostGuardCeilingBinding', 'CostGuardNoLeader', 'CostGuardOperatorDown', 'CostGuardRunawaySuspected', 'CostGuardTargetsNotFound']);
  });
});
