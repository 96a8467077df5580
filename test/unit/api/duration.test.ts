import assert from 'node:assert/strict';
import { formatDuration, isDuration, parseDuration } from '../../../src/api/v1alpha1/index.ts';

describe('api/v1alpha1 durations', () => {
  const valid: [string, number][] = [
    ['10m', 600_000],
    ['30s', 30_000],
    ['250ms', 250],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['1.5s', 1_500],
    ['0.5h', 1_800_000],
    ['0s', 0],
    ['90m', 5_400_000],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${text} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
      assert.equal(isDuration(text), true);
    });
  }

  const invalid = ['', '10', 'm', '10 m', '10min', '-5s', '1.s', '.5s', '1h 30m', '5S', '1w', '10m ', 'PT10M'];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)} with a TypeError naming the value`, () => {
      assert.equal(isDuration(text), false);
      assert.throws(() => parseDuration(text), (err: unknown) => err instanceof TypeError && err.message.includes(JSON.stringify(text)));
    });
  }

  it('rounds fractions of a millisecond', () => {
    assert.equal(parseDuration('1.0004s'), 1_000);
    assert.equal(parseDuration('0.0006s'), 1);
  });

  it('formats milliseconds back into the shortest exact string', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(90_500), '1m30s500ms');
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(parseDuration(formatDuration(5_400_000)), 5_400_000);
  });
});
