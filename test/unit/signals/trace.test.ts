// Trace files: the shared CSV format, read strictly.
import assert from 'node:assert/strict';
import { formatTrace, parseTrace, TraceError } from '../../../src/signals/trace.ts';

describe('signal traces', () => {
  it('reads any subset of columns, empty cells as missing, comments and the label', () => {
    const t = parseTrace('# label: runaway onset=60\n# a comment\nt,desired,sqs_deleted\n30,4,\n60,,100\n');
    assert.deepEqual(t.columns, ['desired', 'sqs_deleted']);
    assert.deepEqual(t.samples, [{ t: 30, desired: 4 }, { t: 60, sqs_deleted: 100 }]);
    assert.deepEqual(t.label, { kind: 'runaway', onset: 60 });
    assert.deepEqual(parseTrace('# label: normal\nt\n1\n').label, { kind: 'normal' });
  });

  it('ignores columns it does not know', () => {
    assert.deepEqual(parseTrace('t,colour\n1,blue\n').samples, [{ t: 1 }]);
  });

  const bad: [string, string, RegExp][] = [
    ['no t column', 'desired\n1\n', /line 1: header has no "t" column/],
    ['a non-numeric cell', 't,desired\n30,4\n60,four\n', /line 3: desired="four" is not a number/],
    ['time not increasing', 't,desired\n30,4\n30,5\n', /line 3: t=30 is not after the previous row's t=30/],
    ['an empty t', 't,desired\n,4\n', /line 2: t is empty/],
    ['too many cells', 't\n1,2\n', /line 2: 2 cells but the header has 1 columns/],
    ['no header', '# only comments\n', /no header row/],
    ['an unknown label', '# label: maybe\nt\n1\n', /line 1: unknown label "maybe"/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}, naming the line`, () => assert.throws(() => parseTrace(text), (e: unknown) => e instanceof TraceError && message.test(e.message)));
  }

  it('round-trips what it writes', () => {
    const samples = [{ t: 30, desired: 4, sqs_deleted: 10 }, { t: 60, desired: 5 }];
    const text = formatTrace(['desired', 'sqs_deleted'], samples, ['label: normal']);
    assert.deepEqual(parseTrace(text), { columns: ['desired', 'sqs_deleted'], samples, label: { kind: 'normal' } });
  });
});
