import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { awaitingCeilings } from '../../../src/controllers/cost/controller.ts';
import type { ObservedGroup } from '../../../src/controllers/cost/observe.ts';

function guard(status: Record<string, unknown>, spec: Record<string, unknown> = { scalingGroups: [{ name: 'a', maxSize: 5 }] }): CostGuard {
  return { apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { name: 'g', namespace: 'n', generation: 3 }, spec, status } as unknown as CostGuard;
}

const seen = (desired: number): ObservedGroup[] => [{ priced: { target: 'asg/a', ceiling: 5, running: {}, mayLaunch: [] }, desired }];

describe('the cost controller lets the ceilings controller write first', () => {
  it('waits until the ceilings controller has reported this generation', () => {
    assert.equal(awaitingCeilings(guard({}), seen(2)), true);
    assert.equal(awaitingCeilings(guard({ observedGeneration: 2, scalingGroups: [{ name: 'a', desired: 2 }] }), seen(2)), true);
  });

  it('waits while the ceilings status shows another DesiredCapacity than the one observed now (it is about to act)', () => {
    assert.equal(awaitingCeilings(guard({ observedGeneration: 3, scalingGroups: [{ name: 'a', desired: 2 }] }), seen(19)), true);
    assert.equal(awaitingCeilings(guard({ observedGeneration: 3, scalingGroups: [{ name: 'a', desired: 2 }] }), seen(2)), false);
  });

  it('never waits for a guard without ceiling targets', () => {
    assert.equal(awaitingCeilings(guard({}, { cost: {} }), []), false);
  });
});
