// The GetMetricData adapter over a scripted API: every NextToken page is followed and counted,
// points land under their query id, and the request asks for the window oldest first.
import assert from 'node:assert/strict';
import type { GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { metricHistoryOver, type MetricDataApi } from '../../../src/cloud/aws/metric-history.ts';

const T0 = Date.parse('2026-11-03T04:00:00Z');

describe('metric history on GetMetricData', () => {
  it('follows NextToken to the last page, one call each, and merges the points per query', async () => {
    const inputs: GetMetricDataCommandInput[] = [];
    const pages = [
      { MetricDataResults: [{ Id: 'desired', Timestamps: [new Date(T0)], Values: [4] }], NextToken: 'p2' },
      { MetricDataResults: [{ Id: 'desired', Timestamps: [new Date(T0 + 60_000)], Values: [5] }, { Id: 'other', Timestamps: [new Date(T0)], Values: [1] }], NextToken: '' },
    ];
    const api: MetricDataApi = { getMetricData: (input) => (inputs.push(input), Promise.resolve(pages.shift()!)) };
    let calls = 0;
    const q = { id: 'desired', namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', dimensions: { AutoScalingGroupName: 'g' }, stat: 'Maximum' as const };
    const out = await metricHistoryOver(api).fetch([q, { ...q, id: 'quiet' }], { startMs: T0, endMs: T0 + 120_000, periodSeconds: 60 }, () => calls++);
    assert.equal(calls, 2);
    assert.deepEqual([inputs[0]!.NextToken, inputs[1]!.NextToken], [undefined, 'p2']);
    assert.equal(inputs[0]!.ScanBy, 'TimestampAscending');
    assert.deepEqual(inputs[0]!.MetricDataQueries![0], { Id: 'desired', MetricStat: { Metric: { Namespace: 'AWS/AutoScaling', MetricName: 'GroupDesiredCapacity', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'g' }] }, Period: 60, Stat: 'Maximum' }, ReturnData: true });
    assert.deepEqual(out.get('desired'), [{ at: T0, value: 4 }, { at: T0 + 60_000, value: 5 }]);
    assert.deepEqual(out.get('quiet'), [], 'a query without datapoints is an empty list');
    assert.equal(out.has('other'), false, 'results for ids not asked for are ignored');
  });
});
