import assert from 'node:assert/strict';
import { allocateCaps, type CappableGroup } from '../../../src/controllers/cost/cap-decide.ts';

const $ = (dollars: number): number => Math.round(dollars * 1_000_000);
const g = (target: string, ceiling: number, desired: number, unitDollars: number): CappableGroup => ({ target, ceiling, desired, unit: $(unitDollars) });
const cost = (groups: CappableGroup[], caps: Map<string, number>): number => groups.reduce((s, x) => s + (caps.get(x.target) ?? x.ceiling) * x.unit, 0);

describe('allocateCaps', () => {
  const cases: { name: string; groups: CappableGroup[]; ceiling: number; caps: Record<string, number> }[] = [
    { name: 'no cap when the spec ceilings already fit', groups: [g('asg/a', 10, 2, 0.1)], ceiling: 1, caps: {} },
    { name: 'one group: as many instances as the dollars allow', groups: [g('asg/a', 20, 2, 0.096)], ceiling: 1, caps: { 'asg/a': 10 } },
    {
      name: 'running capacity is kept; the room left is shared by remaining room × price',
      groups: [g('asg/a', 20, 4, 0.1), g('asg/b', 20, 2, 0.1)],
      ceiling: 2,
      // kept 4 + 2 = $0.60; $1.40 left shared 16:18 → +6.58/+7.41 → 10, 9; $0.10 left → a +1
      caps: { 'asg/a': 11, 'asg/b': 9 },
    },
    {
      name: 'when what runs already costs more, each group is scaled down in proportion',
      groups: [g('asg/a', 20, 10, 0.1), g('asg/b', 20, 10, 0.1)],
      ceiling: 1,
      caps: { 'asg/a': 5, 'asg/b': 5 },
    },
    {
      name: 'a free group (price "0") is never capped',
      groups: [g('asg/free', 50, 30, 0), g('asg/a', 10, 1, 0.5)],
      ceiling: 2,
      caps: { 'asg/a': 4 },
    },
    {
      name: 'a cap never exceeds the spec ceiling, even with dollars to spare in one group',
      groups: [g('asg/small', 2, 2, 0.01), g('asg/big', 100, 10, 1)],
      ceiling: 20,
      caps: { 'asg/big': 19 },
    },
    { name: 'a ceiling below one instance caps at zero', groups: [g('asg/a', 5, 3, 2)], ceiling: 1, caps: { 'asg/a': 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const caps = allocateCaps(c.groups, $(c.ceiling));
      assert.deepEqual(Object.fromEntries(caps.map((x) => [x.target, x.value])), c.caps);
      if (caps.length) assert.ok(cost(c.groups, new Map(caps.map((x) => [x.target, x.value]))) <= $(c.ceiling));
    });
  }

  it('keeps Σ cap × price ≤ ceiling and every cap ≤ its spec ceiling (random fleets)', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const groups = Array.from({ length: 1 + rand(6) }, (_, i) => {
        const ceiling = 1 + rand(200);
        return { target: `asg/${i}`, ceiling, desired: rand(ceiling + 20), unit: rand(5) === 0 ? 0 : 1 + rand(5_000_000) };
      });
      const ceiling = rand(100_000_000);
      const caps = allocateCaps(groups, ceiling);
      const byTarget = new Map(caps.map((x) => [x.target, x.value]));
      for (const x of caps) {
        const spec = groups.find((y) => y.target === x.target)!;
        assert.ok(x.value >= 0 && x.value < spec.ceiling, `cap ${x.value} within [0, ${spec.ceiling})`);
        assert.notEqual(spec.unit, 0);
      }
      if (caps.length) assert.ok(cost(groups.filter((y) => y.unit > 0), byTarget) <= ceiling, `run ${run}`);
    }
  });
});
