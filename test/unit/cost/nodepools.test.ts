// A NodePool's cost from its NodeClaims: running types counted, the worst case at CostGuard's
// nodes ceiling, nothing guessed when the ceiling or a price is missing.
import assert from 'node:assert/strict';
import { priceBook } from '../../../src/cloud/pricing/prices.ts';
import { estimateCost } from '../../../src/controllers/cost/estimate-decide.ts';
import { pricedNodePool, type NodeClaim } from '../../../src/controllers/cost/nodepools.ts';

const prices = priceBook({ 'us-east-1': { 'm5.large': '0.096', 'c5.large': '0.085' }, 'eu-west-1': { 'm5.large': '0.107' } }, 'test', 'test');

const claim = (type: string | undefined, region = 'us-east-1', capacity = 'on-demand'): NodeClaim => ({
  metadata: { labels: { 'karpenter.sh/nodepool': 'general', 'karpenter.sh/capacity-type': capacity, 'topology.kubernetes.io/region': region, ...(type ? { 'node.kubernetes.io/instance-type': type } : {}) } },
});

describe('cost: Karpenter NodePools', () => {
  it('counts launched NodeClaims by type and multiplies the nodes ceiling by the dearest type it may launch', () => {
    const pool = { spec: { template: { spec: { requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c5.large', 'm5.large'] }] } } } };
    const priced = pricedNodePool({ name: 'general', limits: { nodes: '10' } }, [claim('c5.large'), claim('c5.large'), claim(undefined)], pool);
    assert.deepEqual(priced, { target: 'NodePool/general', ceiling: 10, running: { 'c5.large': 2 }, mayLaunch: ['c5.large', 'm5.large'], region: 'us-east-1' });
    const e = estimateCost([priced], 'us-east-1', prices);
    assert.deepEqual({ hourly: e.hourly, worstCase: e.worstCase, unpriced: e.unpriced, uncounted: e.uncounted }, { hourly: 170_000, worstCase: 960_000, unpriced: [], uncounted: [] });
  });

  it('prices in the region the nodes run in, and spot nodes at the on-demand price (an upper bound)', () => {
    const priced = pricedNodePool({ name: 'general', limits: { nodes: 3 } }, [claim('m5.large', 'eu-west-1', 'spot')], undefined);
    assert.equal(estimateCost([priced], 'us-east-1', prices).hourly, 107_000);
  });

  it('has no worst case without a nodes ceiling, and says which target it left out', () => {
    const priced = pricedNodePool({ name: 'general', limits: { cpu: '100' } }, [claim('m5.large')], undefined);
    const e = estimateCost([priced], 'us-east-1', prices);
    assert.deepEqual({ hourly: e.hourly, worstCase: e.worstCase, uncounted: e.uncounted }, { hourly: 96_000, worstCase: 0, uncounted: ['NodePool/general'] });
  });

  it('reports a type the table lacks instead of guessing it', () => {
    const priced = pricedNodePool({ name: 'general', limits: { nodes: 2 } }, [claim('x9.huge')], undefined);
    assert.deepEqual(estimateCost([priced], 'us-east-1', prices).unpriced, ['NodePool/general: x9.huge']);
  });
});
