// `costguard recommend`: the ceiling rule as table tests over the pure function, the price it
// quotes, and the command end to end: the manifest validates against the CRD's schema and
// carries its evidence.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, run } from '../../../hack/localenv/index.ts';
import { validateSpec } from '../../../src/api/v1alpha1/index.ts';
import { priceBook } from '../../../src/cloud/pricing/prices.ts';
import { daysInState } from '../../../src/cli/recommend-flagged.ts';
import { dayKey, percentile, recommendCeiling, type CapacitySample, type RecommendOptions } from '../../../src/cli/recommend-math.ts';
import { resolvePrice } from '../../../src/cli/recommend-price.ts';
import { objectNameFor } from '../../../src/cli/recommend.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const OPTS: RecommendOptions = { percentile: 99, headroom: 1.2, belowNormalPeak: false, unusualPeakFactor: 1.5, startMs: START };

/** Days of one-minute samples; `level(day, minute)` is the desired capacity. */
function days(n: number, level: (day: number, minute: number) => number): CapacitySample[] {
  const out: CapacitySample[] = [];
  for (let i = 0; i < n * 1440; i++) out.push({ t: i * 60, desired: level(Math.floor(i / 1440), i % 1440) });
  return out;
}

const flat = (v: number) => () => v;
const spikyNormalDay = (d: number, m: number) => (d === 2 && m < 5 ? 20 : 10); // 5 minutes at 20 on day 3
const runawayDay3 = (d: number, m: number) => (d === 2 && m >= 600 && m < 900 ? 60 : 10);

describe('recommend: the ceiling rule', () => {
  const cases: { name: string; samples: CapacitySample[]; opts?: Partial<RecommendOptions>; ceiling: number; basis: string; unusual: string[] }[] = [
    { name: 'flat 10: p99 × 1.2 rounds up to 12', samples: days(3, flat(10)), ceiling: 12, basis: 'percentile', unusual: [] },
    { name: 'headroom 1: the percentile itself', samples: days(3, flat(10)), opts: { headroom: 1 }, ceiling: 10, basis: 'percentile', unusual: [] },
    // 5 of 4,320 minutes above the p99 are a normal day's peak: the ceiling does not clamp it.
    { name: 'a short normal peak above p99 × headroom sets the ceiling', samples: days(3, spikyNormalDay), opts: { unusualPeakFactor: 3 }, ceiling: 20, basis: 'normal-peak', unusual: [] },
    { name: '--below-normal-peak lets the percentile clamp that peak', samples: days(3, spikyNormalDay), opts: { unusualPeakFactor: 3, belowNormalPeak: true }, ceiling: 12, basis: 'percentile', unusual: [] },
    { name: 'a runaway day is left out by its peak', samples: days(5, runawayDay3), ceiling: 12, basis: 'percentile', unusual: ['2026-11-03'] },
    { name: 'a day the detector flagged is left out', samples: days(3, flat(10)), opts: { flaggedDays: new Set(['2026-11-02']) }, ceiling: 12, basis: 'percentile', unusual: ['2026-11-02'] },
    { name: 'every day unusual: learn from all of them rather than nothing', samples: days(2, flat(10)), opts: { flaggedDays: new Set(['2026-11-01', '2026-11-02']) }, ceiling: 12, basis: 'percentile', unusual: [] },
    { name: 'idle group: at least 1', samples: days(1, flat(0)), ceiling: 1, basis: 'percentile', unusual: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = recommendCeiling(c.samples, { ...OPTS, ...c.opts });
      assert.equal(r.ceiling, c.ceiling);
      assert.equal(r.basis, c.basis);
      assert.deepEqual(r.days.filter((d) => !d.normal).map((d) => d.day), c.unusual);
    });
  }

  it('counts the minutes each day the group asked for more than the ceiling', () => {
    const r = recommendCeiling(days(5, runawayDay3), OPTS);
    assert.deepEqual(r.days.map((d) => d.bindingMinutes), [0, 0, 300, 0, 0]);
    assert.equal(r.stepSeconds, 60);
    assert.equal(r.normalPeak, 10);
  });

  it('counts a coarser sample as its whole period', () => {
    const fiveMinutes = days(1, runawayDay3).filter((_, i) => i % 5 === 0).map((s) => ({ ...s }));
    const r = recommendCeiling(fiveMinutes, { ...OPTS, flaggedDays: new Set() });
    assert.equal(r.stepSeconds, 300);
  });

  it('never binds on a normal day unless asked to', () => {
    for (const level of [flat(3), spikyNormalDay, (d: number, m: number) => 4 + Math.round(6 * Math.sin((Math.PI * m) / 1440)) + d]) {
      const r = recommendCeiling(days(4, level), { ...OPTS, unusualPeakFactor: 5 });
      assert.equal(r.days.filter((d) => d.normal).reduce((s, d) => s + d.bindingMinutes, 0), 0);
    }
  });

  it('rejects a history without desired capacity, and options no flag allows', () => {
    assert.throws(() => recommendCeiling([], OPTS), /no desired capacity/);
    assert.throws(() => recommendCeiling(days(1, flat(1)), { ...OPTS, headroom: 0.5 }), TypeError);
    assert.throws(() => recommendCeiling(days(1, flat(1)), { ...OPTS, percentile: 0 }), TypeError);
  });

  it('has a nearest-rank percentile and day keys with and without a start', () => {
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(dayKey(86_400, START), '2026-11-02');
    assert.equal(dayKey(86_399, undefined), 'day 1');
  });

  it('marks the days inside a runaway stretch of the verdict changes', () => {
    const samples = [0, 86_000, 86_500, 200_000].map((t) => ({ t }));
    const verdict = (state: string) => ({ state }) as never;
    const changes = [{ t: 86_000, verdict: verdict('runaway') }, { t: 86_500, verdict: verdict('normal') }];
    assert.deepEqual([...daysInState(changes, samples, START)], ['2026-11-01']);
  });
});

describe('recommend: the price of the worst case', () => {
  const book = priceBook({ 'us-east-1': { 'm5.large': '0.096', 'm5.xlarge': '0.192' } }, 'test', 'test');
  const cases: [string, Parameters<typeof resolvePrice>[0], number | undefined, RegExp][] = [
    ['the given price wins', { pricePerHour: '0.05', instanceTypes: ['m5.large'], region: 'us-east-1' }, 50_000, /--price-per-hour/],
    ['the table price of the type', { instanceTypes: ['m5.large'], region: 'us-east-1' }, 96_000, /m5\.large, price table test, us-east-1/],
    ['the dearest of several types', { instanceTypes: ['m5.large', 'm5.xlarge'], region: 'us-east-1' }, 192_000, /m5\.xlarge/],
    ['no type', { instanceTypes: [], region: 'us-east-1' }, undefined, /--instance-type or --price-per-hour/],
    ['no region', { instanceTypes: ['m5.large'] }, undefined, /--region/],
    ['a type the table lacks', { instanceTypes: ['z9.huge'], region: 'us-east-1' }, undefined, /no us-east-1 price for z9\.huge/],
  ];
  for (const [name, input, micros, text] of cases) {
    it(name, () => {
      const p = resolvePrice(input, book);
      assert.equal(p.micros, micros);
      assert.match(p.micros === undefined ? p.why : p.source, text);
    });
  }

  it('names the CostGuard after the group', () => {
    assert.equal(objectNameFor('Orders_Worker-ASG'), 'orders-worker-asg');
    assert.equal(objectNameFor('___'), 'recommended');
  });
});

describe('costguard recommend', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'recommend-'));
  const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'recommend', ...args], { env: { ...process.env, AWS_REGION: '' } });
  const exportFile = (name: string, group: string, level: (d: number, m: number) => number) => {
    const rows = days(5, level).map((s) => `${s.t},${s.desired}`);
    const path = join(dir, name);
    writeFileSync(path, [`# group: ${group}`, '# region: us-east-1', '# instance_type: m5.large', '# start: 2026-11-01T00:00:00Z', 't,desired', ...rows, ''].join('\n'));
    return path;
  };

  it('prints a DryRun CostGuard that validates, one ceiling per group, with the evidence in comments', async () => {
    const res = await cli(exportFile('a.csv', 'orders-asg', runawayDay3), exportFile('b.csv', 'billing-asg', flat(3)));
    assert.equal(res.code, 0, res.stderr);
    const doc = parse(res.stdout) as { kind: string; metadata: { name: string }; spec: { mode: string; aws: { region: string }; scalingGroups: { name: string; maxSize: number }[] } };
    assert.equal(doc.kind, 'CostGuard');
    assert.equal(doc.metadata.name, 'orders-asg');
    assert.equal(doc.spec.mode, 'DryRun');
    assert.deepEqual(doc.spec.scalingGroups, [{ name: 'orders-asg', maxSize: 12 }, { name: 'billing-asg', maxSize: 4 }]);
    assert.deepEqual(validateSpec(doc.spec), []);
    assert.match(res.stdout, /^# orders-asg: maxSize 12, from 5 days of 60 s samples in a\.csv$/m);
    assert.match(res.stdout, /^# {3}worst case at the ceiling: 12 × \$0\.096\/h \(m5\.large, price table [\d-]+, us-east-1\) = \$1\.152\/h$/m);
    assert.match(res.stdout, /^# {5}2026-11-03: peak 60 is above 1\.5 × the median day's peak 10$/m);
    assert.match(res.stdout, /^# {5}2026-11-03 {2}peak 60 {2}binding 300 min {2}\(unusual\)$/m);
    assert.match(res.stdout, /^# {3}minutes binding \(desired above the ceiling\) on normal days: 0$/m);
  });

  it('honours the flags and says when it cannot price the worst case', async () => {
    const res = await cli(exportFile('c.csv', 'x', flat(10)), '--headroom=1.5', '--percentile', '50', '--instance-type=z9.huge', '--name=mine', '--namespace=payments', '--group=orders');
    assert.equal(res.code, 0, res.stderr);
    const doc = parse(res.stdout) as { metadata: { name: string; namespace: string }; spec: { scalingGroups: { name: string; maxSize: number }[] } };
    assert.deepEqual(doc.metadata, { name: 'mine', namespace: 'payments' });
    assert.deepEqual(doc.spec.scalingGroups, [{ name: 'orders', maxSize: 15 }]);
    assert.match(res.stdout, /worst case at the ceiling: unknown \(the price table .* has no us-east-1 price for z9\.huge: pass --price-per-hour\)/);
  });

  const bad: [string, string[], RegExp][] = [
    ['no file', [], /needs at least one history file/],
    ['an unknown flag', ['a.csv', '--colour=red'], /unknown flag --colour for recommend/],
    ['a headroom below 1', ['a.csv', '--headroom=0.5'], /invalid --headroom="0.5"/],
    ['a bad price', ['a.csv', '--price-per-hour=cheap'], /invalid --price-per-hour="cheap"/],
    ['more groups than one CostGuard holds', Array.from({ length: 51 }, (_, i) => `g${i}.csv`), /at most 50 scaling groups; got 51 history files/],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what} in one line, exit 2`, async () => {
      const res = await cli(...args);
      assert.equal(res.code, 2, res.stderr);
      assert.equal(res.stderr.trim().split('\n').length, 1);
      assert.match(res.stderr, message);
    });
  }

  it('rejects a history without desired capacity, naming the file', async () => {
    const path = join(dir, 'q.csv');
    writeFileSync(path, 't,sqs_deleted\n0,1\n60,2\n');
    const res = await cli(path);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /q\.csv: the history has no desired capacity/);
  });
});
