// A Karpenter NodePool priced from its NodeClaims in a real API server (Karpenter's real CRDs
// for NodePool and NodeClaim): the estimate follows nodes as they come and go, the worst case is
// the guard's nodes ceiling × the dearest type the pool may launch.
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../../src/cli/operator.ts';
import { formatMicros } from '../../../src/cloud/pricing/money.ts';
import { SHIPPED_PRICES } from '../../../src/cloud/pricing/prices.ts';
import { collectionPath, objectPath, Resources } from '../../../src/runtime/kube/resource.ts';
import { createGuard, createNamespace, eventually, getGuard, installCrds, rest, waitForCondition } from '../controllers/helpers.ts';
import { REGION } from '../cloud/fixtures.ts';
import { createNodePool, nodeClaimBody } from '../controllers/peer-objects.ts';
import { RecordingNotifier, startCostOperator } from './helpers.ts';

const price = (type: string, region = REGION): number => SHIPPED_PRICES.hourly(region, type)!;

describe('cost: Karpenter NodePools from their NodeClaims', function () {
  let ns: string;
  let operator: RunningOperator;
  const pool = (suffix: string): string => `${ns}-${suffix}`;

  const nodeClaim = (name: string, labels: Record<string, string>) =>
    rest().create(collectionPath(Resources.karpenterNodeClaims), nodeClaimBody(name, labels));
  const labels = (nodePool: string, type: string, region = REGION) => ({
    'karpenter.sh/nodepool': nodePool,
    'node.kubernetes.io/instance-type': type,
    'karpenter.sh/capacity-type': 'on-demand',
    'topology.kubernetes.io/region': region,
  });

  before(async function () {
    this.timeout(60_000);
    await installCrds();
    ns = await createNamespace('cost-np');
    operator = await startCostOperator(ns, new RecordingNotifier());
  });

  after(async () => {
    await operator?.stop();
  });

  it('sums the launched nodes by type, multiplies the nodes ceiling by the dearest allowed type, and follows a node leaving', async () => {
    const name = pool('general');
    const requirements = [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c5.large', 'm5.large', 'm5.xlarge'] }];
    await createNodePool(name, { limits: { nodes: '10' }, requirements });
    await nodeClaim(`${name}-a`, labels(name, 'm5.large'));
    await nodeClaim(`${name}-b`, labels(name, 'm5.large'));
    await nodeClaim(`${name}-c`, labels(name, 'c5.large'));
    // Another pool's node and one still launching (no type yet) cost this guard nothing.
    await nodeClaim(`${name}-other`, labels(pool('other'), 'm5.4xlarge'));
    await nodeClaim(`${name}-launching`, { 'karpenter.sh/nodepool': name });
    await createGuard(ns, 'np', { mode: 'DryRun', nodePools: [{ name, limits: { nodes: '4' } }], cost: {} });
    const guard = await waitForCondition(ns, 'np', { type: 'CostTracked', status: 'True' });
    const estimate = formatMicros(2 * price('m5.large') + price('c5.large'));
    const worst = formatMicros(4 * price('m5.xlarge'));
    assert.deepEqual({ estimate: guard.status?.cost?.estimatedHourly, worst: guard.status?.cost?.worstCaseHourly }, { estimate, worst });
    const tracked = guard.status?.conditions?.find((c) => c.type === 'CostTracked');
    assert.equal(tracked?.message, `Estimate $${estimate}/h, worst case $${worst}/h at the ceilings (price table ${SHIPPED_PRICES.version}).`);
    await rest().delete(objectPath(Resources.karpenterNodeClaims, undefined, `${name}-c`));
    const after = formatMicros(2 * price('m5.large'));
    await eventually('the estimate without the node that left', async () => (await getGuard(ns, 'np')).status?.cost?.estimatedHourly === after);
  });

  it('says a pool without a nodes ceiling is left out of the worst case, and names a type the table lacks', async () => {
    const name = pool('cpu-only');
    await createNodePool(name, { limits: { cpu: '100' } });
    await nodeClaim(`${name}-a`, labels(name, 'm5.large'));
    await createGuard(ns, 'cpu-only', { mode: 'DryRun', nodePools: [{ name, limits: { cpu: '50' } }], cost: {} });
    const guard = await waitForCondition(ns, 'cpu-only', { type: 'CostTracked', status: 'True' });
    assert.equal(
      guard.status?.conditions?.find((c) => c.type === 'CostTracked')?.message,
      `Estimate $${formatMicros(price('m5.large'))}/h, worst case $0.00/h at the ceilings, not counting NodePool/${name} (no limits.nodes ceiling) (price table ${SHIPPED_PRICES.version}).`,
    );
    await nodeClaim(`${name}-odd`, labels(name, 'u-6tb1.112xlarge'));
    const unpriced = await waitForCondition(ns, 'cpu-only', { type: 'CostTracked', status: 'False', reason: 'UnpricedInstanceType' });
    assert.match(unpriced.status?.conditions?.find((c) => c.type === 'CostTracked')?.message ?? '', new RegExp(`^No price for NodePool/${name}: u-6tb1\\.112xlarge in ${REGION} .*NodePools take no price override`));
  });
});
