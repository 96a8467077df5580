import assert from 'node:assert/strict';
import { formatMicros, parseMicros, percentOf } from '../../../src/cloud/pricing/money.ts';
import { priceBook, SHIPPED_PRICES } from '../../../src/cloud/pricing/prices.ts';
import { estimateCost, NO_TYPE, type PricedTarget } from '../../../src/controllers/cost/estimate-decide.ts';

const prices = priceBook({ 'us-east-1': { 't3.micro': '0.0104', 'm5.large': '0.096', 'c5.large': '0.085' } }, 'test', 'test');

function target(overrides: Partial<PricedTarget> = {}): PricedTarget {
  return { target: 'asg/a', ceiling: 10, running: {}, mayLaunch: [], ...overrides };
}

describe('money', () => {
  const cases: [string, number, string][] = [
    ['12.00', 12_000_000, '12.00'],
    ['0.0104', 10_400, '0.0104'],
    ['0.08925', 89_250, '0.0893'],
    ['0.0960000000', 96_000, '0.096'],
    ['5000', 5_000_000_000, '5000.00'],
    ['0.00000051', 1, '0.00'],
  ];
  for (const [text, micros, formatted] of cases) {
    it(`${text} is ${micros} µ$ and prints as ${formatted}`, () => {
      assert.equal(parseMicros(text), micros);
      assert.equal(formatMicros(micros), formatted);
    });
  }

  it('sums a thousand instances without drift (0.1 + 0.2 is exactly 0.3 here)', () => {
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += parseMicros('0.0104');
    assert.equal(formatMicros(sum), '10.40');
    assert.equal(formatMicros(parseMicros('0.1') + parseMicros('0.2')), '0.30');
  });

  it('rejects what is not a plain decimal', () => {
    for (const bad of ['-1', '1e3', '', 'abc', '1.2.3']) assert.throws(() => parseMicros(bad), TypeError);
    assert.throws(() => formatMicros(-1), TypeError);
  });

  it('computes whole percentages, 0 of nothing', () => {
    assert.equal(percentOf(4_000, 5_000), 80);
    assert.equal(percentOf(5_001, 5_000), 100);
    assert.equal(percentOf(1, 0), 0);
  });
});

describe('estimateCost', () => {
  const cases: { name: string; targets: PricedTarget[]; hourly: string; worst: string; unpriced: string[] }[] = [
    {
      name: 'in-service instances × table price; worst case = ceiling × the dearest type the group may launch',
      targets: [target({ running: { 't3.micro': 3, 'm5.large': 1 }, mayLaunch: ['m5.large', 't3.micro'] })],
      hourly: '0.1272', worst: '0.96', unpriced: [],
    },
    {
      name: 'a group with no instances yet (type from its launch template) costs nothing now but has a worst case',
      targets: [target({ ceiling: 4, mayLaunch: ['c5.large'] })],
      hourly: '0.00', worst: '0.34', unpriced: [],
    },
    {
      name: 'a price override replaces the table for every type of that group',
      targets: [target({ running: { 'm5.large': 2 }, mayLaunch: ['m5.large'], override: parseMicros('0.05') })],
      hourly: '0.10', worst: '0.50', unpriced: [],
    },
    {
      name: '"0" as a price override counts the group as free, and is not unpriced',
      targets: [target({ running: { 'x9.huge': 5 }, mayLaunch: ['x9.huge'], override: 0 })],
      hourly: '0.00', worst: '0.00', unpriced: [],
    },
    {
      name: 'an unknown type is reported and left out, never guessed; the known part still counts',
      targets: [target({ running: { 'x9.huge': 2, 't3.micro': 1 }, mayLaunch: ['t3.micro', 'x9.huge'] }), target({ target: 'asg/b', ceiling: 2, running: { 'm5.large': 1 }, mayLaunch: ['m5.large'] })],
      hourly: '0.1064', worst: '0.192', unpriced: ['asg/a: x9.huge'],
    },
    {
      name: 'a group with no known type at all is reported as such',
      targets: [target()],
      hourly: '0.00', worst: '0.00', unpriced: [`asg/a: ${NO_TYPE}`],
    },
    {
      name: 'sums across groups',
      targets: [target({ running: { 't3.micro': 2 }, mayLaunch: ['t3.micro'] }), target({ target: 'asg/b', ceiling: 3, running: { 'c5.large': 3 }, mayLaunch: ['c5.large'] })],
      hourly: '0.2758', worst: '0.359', unpriced: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = estimateCost(c.targets, 'us-east-1', prices);
      assert.equal(formatMicros(e.hourly), c.hourly);
      assert.equal(formatMicros(e.worstCase), c.worst);
      assert.deepEqual(e.unpriced, c.unpriced);
    });
  }

  it('prices by region: a type the table lists for one region is unpriced in a region it does not list', () => {
    const e = estimateCost([target({ running: { 't3.micro': 1 }, mayLaunch: ['t3.micro'] })], 'ap-south-2', prices);
    assert.deepEqual(e.unpriced, ['asg/a: t3.micro']);
  });
});

describe('the shipped price table', () => {
  it('has a version and a source, and prices common types in common regions', () => {
    assert.match(SHIPPED_PRICES.version, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(SHIPPED_PRICES.source, /ec2instances\.info .*@v0\.0\.0-\d{14}-[0-9a-f]{12}, published \d{4}-\d{2}-\d{2}/);
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1']) {
      for (const type of ['t3.micro', 'm5.large', 'c5.large', 'r5.large']) assert.ok(SHIPPED_PRICES.hourly(region, type), `${region} ${type}`);
    }
  });

  it('scales linearly within a family (AWS prices sizes in proportion)', () => {
    const large = SHIPPED_PRICES.hourly('us-east-1', 'm5.large')!;
    assert.equal(SHIPPED_PRICES.hourly('us-east-1', 'm5.xlarge'), 2 * large);
    assert.equal(SHIPPED_PRICES.hourly('us-east-1', 'm5.4xlarge'), 8 * large);
  });
});

describe('hack/pricing', () => {
  it('splits quoted cells with commas and doubled quotes (AWS offer CSV)', async () => {
    const { splitCsv } = await import('../../../hack/pricing/generate.ts');
    assert.deepEqual(splitCsv('"SKU1","OnDemand","Linux, shared","say ""hi""",0.0960000000'), ['SKU1', 'OnDemand', 'Linux, shared', 'say "hi"', '0.0960000000']);
  });

  it('takes the Linux on-demand price of the wanted families per region, never a missing or zero one', async () => {
    const { pricesFromInstances } = await import('../../../hack/pricing/sources/ec2instances-info.ts');
    const instances = [
      { instance_type: 'm5.large', pricing: { 'us-east-1': { linux: { ondemand: '0.0960' } }, 'eu-west-1': { linux: { ondemand: '0.107' } } } },
      { instance_type: 'm5a.large', pricing: { 'us-east-1': { linux: { ondemand: '0.086' } } } },
      { instance_type: 'm5.xlarge', pricing: { 'us-east-1': { linux: { ondemand: '0.192' } }, 'eu-west-1': { linux: { ondemand: 'N/A' } } } },
      { instance_type: 'c5.large', pricing: { 'us-east-1': { linux: { ondemand: '0' } } } },
      { instance_type: 'u-6tb1.metal', pricing: { 'us-east-1': { linux: { ondemand: '40' } } } },
    ];
    const table = pricesFromInstances(instances, { regions: ['us-east-1', 'eu-west-1'], families: ['m5.', 'c5.'] });
    assert.deepEqual(table, { 'us-east-1': { 'm5.large': '0.096', 'm5.xlarge': '0.192' }, 'eu-west-1': { 'm5.large': '0.107' } });
  });

  it('renders a table whose header names its source and date, and that the price book reads back', async () => {
    const { renderTable } = await import('../../../hack/pricing/generate.ts');
    const text = renderTable({ table: { 'us-east-1': { 'm5.large': '0.096' } }, version: '2025-05-28', source: "the module's data" });
    assert.match(text, /^\/\/ Source: the module's data\.$/m);
    assert.match(text, /export const PRICE_TABLE_VERSION = '2025-05-28';/);
    assert.match(text, /export const PRICE_TABLE_SOURCE = 'the module\\'s data';/);
    assert.match(text, /'us-east-1': \{\n {4}'m5\.large': '0\.096',\n {2}\},/);
  });
});
