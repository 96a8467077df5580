// Reading other people's history: format detection, CloudWatch's get-metric-data JSON (labels
// as CloudWatch writes them, newest first), CSV with absolute times, and the trace format
// unchanged. Table tests over the pure readers.
import assert from 'node:assert/strict';
import { columnOf } from '../../../src/cli/history-columns.ts';
import { detectFormat, metaComments, parseHistory } from '../../../src/cli/history.ts';
import { HistoryError } from '../../../src/cli/history-json.ts';
import { inflow, mergeSeries } from '../../../src/cli/history-series.ts';
import { parseTime } from '../../../src/cli/history-time.ts';
import { TraceError } from '../../../src/signals/trace.ts';

const T0 = Date.parse('2026-11-03T04:00:00Z');
const iso = (minutes: number, zone = 'Z') => new Date(T0 + minutes * 60_000).toISOString().replace('.000Z', zone === 'Z' ? 'Z' : zone);

describe('history: which column a series is', () => {
  const cases: [string, string, string | undefined][] = [
    ['GroupDesiredCapacity', '', 'desired'],
    ['GroupInServiceInstances', 'm1', 'in_service'],
    ['NumberOfMessagesDeleted', '', 'sqs_deleted'],
    ['NumberOfMessagesReceived', '', 'sqs_received'],
    ['NumberOfMessagesSent', '', 'sqs_sent'],
    ['ApproximateNumberOfMessagesVisible', '', 'sqs_visible'],
    ['ApproximateNumberOfMessagesNotVisible', '', 'sqs_not_visible'],
    ['ApproximateNumberOfMessagesVisible', 'dlq', 'dlq_depth'],
    ['orders-dlq ApproximateNumberOfMessagesVisible', '', 'dlq_depth'],
    ['orders-asg GroupDesiredCapacity', '', 'desired'],
    ['desired', 'whatever', 'desired'],
    ['', 'sqs_deleted', 'sqs_deleted'],
    ['costguard_worker_retries_total', '', 'worker_retries'],
    ['Desired', '', 'desired'],
    ['groupdesiredcapacity', '', 'desired'],
    ['CPUUtilization', 'cpu', undefined],
    ['GroupDesiredCapacityish', '', undefined],
  ];
  for (const [label, id, column] of cases) it(`${JSON.stringify(label)} (id ${JSON.stringify(id)}) → ${column}`, () => assert.equal(columnOf(label, id), column));
});

describe('history: times', () => {
  const cases: [string, number | undefined][] = [
    ['2026-11-03T04:00:00Z', T0],
    ['2026-11-03T04:00:00+00:00', T0],
    ['2026-11-03T05:00:00+01:00', T0],
    ['2026-11-03 04:00:00', T0],
    ['2026-11-03T04:00:00.000Z', T0],
    [String(T0 / 1000), T0],
    [String(T0), T0],
    ['30', undefined],
    ['yesterday', undefined],
    ['2026-13-45T99:00:00Z', undefined],
  ];
  for (const [text, ms] of cases) it(`${text} → ${ms}`, () => assert.equal(parseTime(text), ms));
});

describe('history: format detection', () => {
  const cases: [string, string, string][] = [
    ['a trace', 't,desired\n30,4\n', 'trace-csv'],
    ['a trace with comments first', '# group: a\n# start: 2026-11-03T04:00:00Z\nt,desired\n0,4\n', 'trace-csv'],
    ['get-metric-data JSON', '  {"MetricDataResults": []}', 'cloudwatch-json'],
    ['a timestamp column', 'timestamp,desired\n2026-11-03T04:00:00Z,4\n', 'timed-csv'],
    ['t holding ISO times', 't,desired\n2026-11-03T04:00:00Z,4\n', 'timed-csv'],
    ['t holding epoch seconds', 't,desired\n1793678400,4\n', 'timed-csv'],
    ['t holding seconds from the start', 't,desired\n0,4\n', 'trace-csv'],
    ['no t at all', 'desired\n4\n', 'trace-csv'],
  ];
  for (const [what, text, format] of cases) it(`${what} → ${format}`, () => assert.equal(detectFormat(text), format));
});

describe('history: merging series', () => {
  it('one row per timestamp, t from the first, missing stays missing (never zero)', () => {
    const merged = mergeSeries([
      { column: 'desired', points: [{ at: T0 + 120_000, value: 5 }, { at: T0, value: 4 }] },
      { column: 'sqs_deleted', points: [{ at: T0 + 60_000, value: 0 }] },
    ]);
    assert.equal(merged.startMs, T0);
    assert.deepEqual(merged.columns, ['desired', 'sqs_deleted']);
    assert.deepEqual(merged.samples, [{ t: 0, desired: 4 }, { t: 60, sqs_deleted: 0 }, { t: 120, desired: 5 }]);
  });

  it('turns DLQ depth into inflow per interval: rises count, falls do not', () => {
    const pts = [3, 5, 5, 10, 2].map((value, i) => ({ at: T0 + i * 60_000, value })).reverse();
    assert.deepEqual(inflow(pts).map((p) => p.value), [2, 0, 5, 0]);
    const merged = mergeSeries([{ column: 'dlq_depth', points: pts }]);
    assert.deepEqual(merged.samples.map((s) => s.dlq_in), [undefined, 2, 0, 5, 0]);
  });
});

describe('history: get-metric-data JSON', () => {
  // What `aws cloudwatch get-metric-data` prints: newest first, +00:00 offsets, default labels.
  const json = JSON.stringify({
    MetricDataResults: [
      { Id: 'm1', Label: 'GroupDesiredCapacity', Timestamps: [iso(2, '+00:00'), iso(1, '+00:00'), iso(0, '+00:00')], Values: [6, 5, 4], StatusCode: 'Complete' },
      { Id: 'm2', Label: 'NumberOfMessagesDeleted', Timestamps: [iso(2, '+00:00'), iso(0, '+00:00')], Values: [90, 100], StatusCode: 'Complete' },
      { Id: 'm3', Label: 'CPUUtilization', Timestamps: [iso(0)], Values: [50], StatusCode: 'Complete' },
    ],
    Messages: [],
  });

  it('reads the series by their default labels, oldest first, t in seconds from the first sample', () => {
    const h = parseHistory(json);
    assert.equal(h.format, 'cloudwatch-json');
    assert.equal(h.startMs, T0);
    assert.deepEqual(h.trace.columns, ['desired', 'sqs_deleted']);
    assert.deepEqual(h.trace.samples, [{ t: 0, desired: 4, sqs_deleted: 100 }, { t: 60, desired: 5 }, { t: 120, desired: 6, sqs_deleted: 90 }]);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"MetricDataResults": [', /not valid JSON/],
    ['no MetricDataResults', '{"Metrics": []}', /JSON without MetricDataResults/],
    ['no known label', '{"MetricDataResults": [{"Label": "CPUUtilization", "Timestamps": [], "Values": []}]}', /no series this command knows \(labels "CPUUtilization"\)/],
    ['two series of one column', '{"MetricDataResults": [{"Label": "ApproximateNumberOfMessagesVisible", "Timestamps": [], "Values": []}, {"Label": "ApproximateNumberOfMessagesVisible", "Timestamps": [], "Values": []}]}', /two series are sqs_visible.*give each query its own Label/],
    ['a bad time', '{"MetricDataResults": [{"Label": "GroupDesiredCapacity", "Timestamps": ["soon"], "Values": [1]}]}', /Timestamps\[0\]="soon" is not an ISO 8601 time or epoch seconds/],
    ['lengths that differ', '{"MetricDataResults": [{"Label": "GroupDesiredCapacity", "Timestamps": ["2026-11-03T04:00:00Z"], "Values": []}]}', /1 timestamps but 0 values/],
  ];
  for (const [what, text, message] of bad) it(`rejects ${what}`, () => assert.throws(() => parseHistory(text), (e: unknown) => e instanceof HistoryError && message.test(e.message)));
});

describe('history: get-metric-statistics JSON', () => {
  it('reads its one series, in any order, by the statistic it carries', () => {
    const doc = { Label: 'GroupDesiredCapacity', Datapoints: [{ Timestamp: iso(1, '+00:00'), Maximum: 5, Unit: 'None' }, { Timestamp: iso(0, '+00:00'), Maximum: 4, Unit: 'None' }] };
    const h = parseHistory(JSON.stringify(doc));
    assert.equal(h.startMs, T0);
    assert.deepEqual(h.trace.samples, [{ t: 0, desired: 4 }, { t: 60, desired: 5 }]);
    assert.throws(() => parseHistory(JSON.stringify({ Label: 'CPUUtilization', Datapoints: [] })), /label "CPUUtilization"/);
  });
});

describe('history: CSV with absolute times', () => {
  it('reads ISO times in either order and metric-name headers; t from the first sample', () => {
    const h = parseHistory(`timestamp,GroupDesiredCapacity,sqs_deleted,colour\n${iso(1)},5,,red\n${iso(0)},4,100,blue\n`);
    assert.equal(h.format, 'timed-csv');
    assert.deepEqual(h.trace.samples, [{ t: 0, desired: 4, sqs_deleted: 100 }, { t: 60, desired: 5 }]);
  });

  it('reads a t column that holds ISO times', () => {
    assert.deepEqual(parseHistory(`t,desired\n${iso(0)},4\n${iso(5)},6\n`).trace.samples, [{ t: 0, desired: 4 }, { t: 300, desired: 6 }]);
  });

  it('names the line of a bad time or value', () => {
    assert.throws(() => parseHistory(`timestamp,desired\n${iso(0)},4\nlater,5\n`), /line 3: time "later" is not an ISO 8601 time/);
    assert.throws(() => parseHistory(`timestamp,desired\n${iso(0)},four\n`), /line 2: desired="four" is not a number/);
    assert.throws(() => parseHistory(`timestamp,colour\n${iso(0)},red\n`), /line 1: no known column/);
  });
});

describe('history: the trace format stays as it was', () => {
  it('reads a trace and its export comments', () => {
    const h = parseHistory('# group: orders-asg\n# start: 2026-11-03T04:00:00Z\n# label: normal\nt,desired\n0,4\n60,5\n');
    assert.equal(h.format, 'trace-csv');
    assert.equal(h.startMs, T0);
    assert.deepEqual(h.meta, { group: 'orders-asg', start: '2026-11-03T04:00:00Z' });
    assert.deepEqual(h.trace.label, { kind: 'normal' });
    assert.deepEqual(metaComments('# a comment\n# instance_type: m5.large\n'), { instance_type: 'm5.large' });
  });

  it('keeps the parser errors', () => {
    assert.throws(() => parseHistory('desired\n4\n'), (e: unknown) => e instanceof TraceError && /line 1: header has no "t" column/.test(e.message));
    assert.throws(() => parseHistory('t,desired\n30,4\n30,5\n'), /line 3: t=30 is not after the previous row's t=30/);
  });
});
