// `costguard backtest` on history that is not the trace format: the JSON of
// `aws cloudwatch get-metric-data` (newest first, as CloudWatch returns it) and a CSV with ISO
// times. The summary line keeps its form; bad input stays one line, exit 2, naming what is
// accepted and the unit of t.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';
import { parseTrace } from '../../../src/signals/trace.ts';
import type { SignalColumn } from '../../../src/signals/sample.ts';

const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'backtest', ...args], { env: { ...process.env } });
const dir = mkdtempSync(join(tmpdir(), 'backtest-history-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const LABELS: [SignalColumn, string][] = [
  ['desired', 'GroupDesiredCapacity'],
  ['in_service', 'GroupInServiceInstances'],
  ['sqs_sent', 'NumberOfMessagesSent'],
  ['sqs_received', 'NumberOfMessagesReceived'],
  ['sqs_deleted', 'NumberOfMessagesDeleted'],
];

/** The corpus's incident as CloudWatch would print it: one series per metric, newest first. */
function incidentAsCloudWatchJson(): string {
  const trace = parseTrace(readFileSync(join(repoRoot, 'test', 'traces', 'runaway-incident.csv'), 'utf8'));
  const start = Date.parse('2026-11-03T04:00:00Z');
  const MetricDataResults = LABELS.map(([column, Label], i) => {
    const points = trace.samples.filter((s) => s[column] !== undefined).reverse();
    return {
      Id: `m${i}`,
      Label,
      Timestamps: points.map((s) => new Date(start + s.t * 1000).toISOString().replace('.000Z', '+00:00')),
      Values: points.map((s) => s[column]!),
      StatusCode: 'Complete',
    };
  });
  return JSON.stringify({ MetricDataResults, Messages: [] }, null, 4);
}

describe('costguard backtest on CloudWatch history', function () {
  this.timeout(20_000);

  it('reads get-metric-data JSON, newest first, and ends with the summary line', async () => {
    const res = await cli(file('incident.json', incidentAsCloudWatchJson()));
    assert.equal(res.code, 0, res.stderr);
    // t counts from the first sample: the corpus's t=30 is t=0 here.
    const m = /\nbacktest: verdict=runaway first_alert_t=(\d+)\n$/.exec(res.stdout);
    assert.ok(m, res.stdout);
  });

  it('reads a CSV with ISO times', async () => {
    const rows = ['timestamp,desired,sqs_received,sqs_deleted'];
    for (let i = 0; i < 10; i++) rows.push(`2026-11-03T04:${String(i).padStart(2, '0')}:00Z,4,101,100`);
    const res = await cli(file('timed.csv', rows.join('\n')));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'backtest: verdict=normal first_alert_t=-\n');
  });

  it('says unknown when the history has no samples at all', async () => {
    const res = await cli(file('empty.json', '{"MetricDataResults": [{"Id": "m1", "Label": "GroupDesiredCapacity", "Timestamps": [], "Values": []}]}'));
    assert.equal(res.code, 3, res.stderr);
    assert.equal(res.stdout.trimEnd().split('\n').at(-1), 'backtest: verdict=unknown first_alert_t=-');
    assert.match(res.stdout, /^unknown: the history has no samples; expected a trace CSV/);
  });

  const bad: [string, string, RegExp][] = [
    ['JSON with unknown labels', '{"MetricDataResults": [{"Label": "CPUUtilization", "Timestamps": [], "Values": []}]}', /no series this command knows/],
    ['a CSV with ISO times in a t column and a bad row', 't,desired\n2026-11-03T04:00:00Z,4\nnoon,5\n', /line 3: time "noon"/],
    ['a CSV without a time column', 'when,desired\nmonday,4\n', /header has no "t" column/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what} in one line naming the accepted columns, labels and the unit of t`, async () => {
      const res = await cli(file('bad.txt', text));
      assert.equal(res.code, 2, res.stderr);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, message);
      assert.match(res.stderr, /t = seconds from the first sample/);
      assert.match(res.stderr, /columns t?.*desired, in_service/);
      assert.match(res.stderr, /GroupDesiredCapacity/);
      assert.equal(res.stdout, '');
    });
  }
});
