// `costguard backtest` as a user meets it: verdict changes with evidence, one summary line,
// and bad input as one line naming the row, exit code 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';
import { parseBacktestArgs } from '../../../src/cli/backtest.ts';

const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'backtest', ...args], { env: { ...process.env } });
const traces = join(repoRoot, 'test', 'traces');
const dir = mkdtempSync(join(tmpdir(), 'backtest-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function assertOneLineError(res: { code: number | null; stderr: string; stdout: string }, message: RegExp): void {
  assert.equal(res.code, 2, res.stderr);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.match(res.stderr, message);
  assert.equal(res.stdout, '');
}

describe('costguard backtest', function () {
  this.timeout(20_000);

  it('prints the runaway verdict with its evidence and ends with exactly one summary line', async () => {
    const res = await cli(join(traces, 'runaway-incident.csv'));
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    const first = Number(/^t=(\d+) runaway score=\d+ confidence=100 %$/.exec(lines[0]!)?.[1]);
    assert.ok(first > 0, lines[0]);
    assert.match(res.stdout, /^ {2}capacity \d+→\d+ \(\+\d+ %\) in \S+$/m);
    assert.match(res.stdout, /^ {2}receives\/deletes \d\.\d\d→\d\.\d\d$/m);
    assert.match(res.stdout, /^ {2}deletes per instance −\d+ %$/m);
    assert.equal(lines.filter((l) => l.startsWith('backtest:')).length, 1);
    assert.equal(lines.at(-1), `backtest: verdict=runaway first_alert_t=${first}`);
  });

  it('says normal for a normal trace', async () => {
    const res = await cli(join(traces, 'normal-flash-crowd.csv'));
    assert.equal(res.code, 0);
    assert.equal(res.stdout, 'backtest: verdict=normal first_alert_t=-\n');
  });

  it('ignores comments and reads any subset of columns with empty cells', async () => {
    const rows = ['# recorded by hand', 't,in_service,worker_retries,worker_attempts,worker_successes'];
    for (let i = 1; i <= 8; i++) rows.push(`${30 * i},4,1,${i % 2 ? '' : 100},${i % 2 ? '' : 99}`);
    const res = await cli(file('sparse.csv', rows.join('\n')));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim().split('\n').at(-1), 'backtest: verdict=normal first_alert_t=-');
  });

  describe('verdict=unknown, exit code 3, when the trace lacks what a verdict needs', () => {
    const unknown = (res: { code: number | null; stdout: string }, why: string): void => {
      assert.equal(res.code, 3, res.stdout);
      const lines = res.stdout.trimEnd().split('\n');
      assert.equal(lines.at(-1), 'backtest: verdict=unknown first_alert_t=-');
      assert.ok(lines.at(-2)?.startsWith(`unknown: ${why}; expected a trace CSV (t = seconds from the first sample`), lines.at(-2));
      assert.match(lines.at(-2) ?? '', /columns desired, in_service, sqs_sent/);
    };
    it('no usable column (t,foo,bar)', async () => {
      const rows = ['t,foo,bar', ...Array.from({ length: 10 }, (_, i) => `${30 * (i + 1)},1,2`)];
      unknown(await cli(file('foo.csv', rows.join('\n'))), 'the trace carries no capacity (desired or in_service), no a retry share (sqs_received with sqs_deleted, worker_retries, or dlq_in), no useful throughput (sqs_deleted or worker_successes)');
    });
    it('capacity and throughput but no retry share', async () => {
      const rows = ['t,in_service,worker_successes', ...Array.from({ length: 10 }, (_, i) => `${30 * (i + 1)},4,100`)];
      unknown(await cli(file('noretry.csv', rows.join('\n'))), 'the trace carries no a retry share (sqs_received with sqs_deleted, worker_retries, or dlq_in)');
    });
    it('t in milliseconds: no window holds enough samples, and the message says why', async () => {
      const rows = ['t,in_service,worker_retries,worker_attempts,worker_successes', ...Array.from({ length: 10 }, (_, i) => `${30_000 * (i + 1)},4,1,100,99`)];
      unknown(await cli(file('ms.csv', rows.join('\n'))), 'no 1800 s window holds enough samples to judge (10 rows; rows are 30000 s apart: t is in seconds from the first sample, and this looks like milliseconds)');
    });
  });

  it('reads "-" as standard input', async () => {
    const text = readFileSync(join(traces, 'runaway-incident.csv'), 'utf8');
    const res = await run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'backtest', '-'], { env: { ...process.env }, input: text });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /backtest: verdict=runaway first_alert_t=\d+\n$/);
  });

  it('rejects a negative count and a short row, naming the line', async () => {
    assertOneLineError(await cli(file('neg.csv', 't,desired,sqs_deleted\n30,4,10\n60,4,-3\n')), /: line 3: sqs_deleted=-3 is negative/);
    assertOneLineError(await cli(file('short.csv', 't,desired,sqs_deleted\n30,4,10\n60,4\n')), /: line 3: 2 cells but the header has 3 columns/);
    assertOneLineError(await cli(file('negtimed.csv', 'timestamp,desired\n2026-11-03T04:05:00Z,4\n2026-11-03T04:06:00Z,-1\n')), /: line 3: desired=-1 is negative/);
  });

  it('honours --retry-budget: with a 60 % budget the same loop is called later, once retries pass 60 %', async () => {
    const alertAt = (stdout: string) => Number(/first_alert_t=(\d+)/.exec(stdout)![1]);
    // A loop told by its retries (a throttling downstream): the others are told earlier by what their added capacity returns.
    const defaults = await cli(join(traces, 'des', 'des-runaway-throttled.csv'));
    const res = await cli(join(traces, 'des', 'des-runaway-throttled.csv'), '--retry-budget=60', '--window', '30m');
    assert.equal(res.code, 0, res.stderr);
    assert.ok(alertAt(res.stdout) > alertAt(defaults.stdout), res.stdout);
  });

  it('honours --interval: evaluating every 60 s alerts on a 60 s boundary', async () => {
    const res = await cli(join(traces, 'runaway-incident.csv'), '--interval=60s');
    assert.match(res.stdout, /backtest: verdict=runaway first_alert_t=(\d+)\n$/);
    assert.equal(Number(/first_alert_t=(\d+)/.exec(res.stdout)![1]) % 60, 0);
  });

  it('rejects a file without a t column', async () => assertOneLineError(await cli(file('not.csv', 'desired\n4\n')), /^costguard: .*not\.csv: line 1: header has no "t" column\n$/));
  it('rejects a non-numeric cell, naming the row', async () => assertOneLineError(await cli(file('nan.csv', 't,desired\n30,4\n60,lots\n')), /line 3: desired="lots" is not a number/));
  it('rejects time that does not increase, naming the row', async () => assertOneLineError(await cli(file('back.csv', 't,desired\n30,4\n60,4\n45,4\n')), /line 4: t=45 is not after the previous row's t=60/));
  it('rejects a missing file', async () => assertOneLineError(await cli(join(dir, 'absent.csv')), /cannot read .*absent\.csv: ENOENT/));
  it('rejects a bad flag value', async () => assertOneLineError(await cli(join(traces, 'normal-steady.csv'), '--window=soon'), /invalid --window="soon"/));

  it('parses its flags in both spellings and rejects unknown ones', () => {
    assert.deepEqual(parseBacktestArgs(['a.csv', '--window', '10m', '--retry-budget=5', '--interval=30s']), { file: 'a.csv', windowSeconds: 600, retryBudgetPercent: 5, intervalSeconds: 30 });
    assert.deepEqual(parseBacktestArgs(['a.csv']), { file: 'a.csv', windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 0 });
    assert.throws(() => parseBacktestArgs(['a.csv', '--colour=red']), /unknown flag --colour/);
    assert.throws(() => parseBacktestArgs(['a.csv', '--retry-budget=150']), /expected a whole percentage from 0 to 100/);
    assert.throws(() => parseBacktestArgs(['a.csv', '--retry-budget=7.5']), /expected a whole percentage/);
    assert.throws(() => parseBacktestArgs(['a.csv', '--window=9999999h']), /invalid --window="9999999h": must be at most 86400s \(24h, as spec.runaway.window\)/);
    assert.throws(() => parseBacktestArgs(['a.csv', '--window=10m', '--interval=20m']), /invalid --interval="20m": must be at most 600s \(the window\)/);
    assert.throws(() => parseBacktestArgs(['a.csv', '--interval']), /--interval needs a value/);
    assert.throws(() => parseBacktestArgs([]), /needs a trace file/);
    assert.throws(() => parseBacktestArgs(['a.csv', 'b.csv']), /one trace file, got 2/);
  });
});
