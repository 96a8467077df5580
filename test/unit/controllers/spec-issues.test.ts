import assert from 'node:assert/strict';
import { validateSpec } from '../../../src/api/v1alpha1/index.ts';
import { ceilingIssues, sectionOf } from '../../../src/controllers/ceilings/spec-issues.ts';

describe('ceilingIssues: a typo in an optional section never removes a cap', () => {
  const cases: { path: string; section: string | undefined }[] = [
    { path: 'spec.runaway.window', section: 'runaway' },
    { path: 'spec.runaway', section: 'runaway' },
    { path: 'spec.cost.budget.notifications[0].percent', section: 'cost' },
    { path: 'spec.alerts.repeatInterval', section: 'alerts' },
    { path: 'spec.concurrency.workload', section: 'concurrency' },
    { path: 'spec.breaker.resetTimeout', section: 'breaker' },
    { path: 'spec.scalingGroups[0].maxSize', section: undefined },
    { path: 'spec', section: undefined },
    { path: 'spec.runawayish', section: undefined },
  ];
  for (const c of cases) it(`${c.path} → ${String(c.section)}`, () => assert.equal(sectionOf(c.path), c.section));

  it('keeps the ceilings of a guard whose runaway window is out of bounds', () => {
    const spec = { mode: 'Enforce', scalingGroups: [{ name: 'g', maxSize: 20 }], runaway: { signals: { workers: {} }, window: '9000h' } };
    assert.ok(validateSpec(spec).some((i) => i.path === 'spec.runaway.window'));
    assert.deepEqual(ceilingIssues(validateSpec(spec)), []);
  });

  it('still refuses a spec whose ceilings are wrong', () => {
    const spec = { mode: 'Enforce', scalingGroups: [{ name: 'g', maxSize: 0 }] };
    assert.deepEqual(ceilingIssues(validateSpec(spec)).map((i) => i.path), ['spec.scalingGroups[0].maxSize']);
  });
});
