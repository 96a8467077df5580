import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { applyTenancy, globMatches, OPEN_POLICY, type TenancyPolicy } from '../../../src/controllers/targets/tenancy.ts';

const guard = (namespace: string, spec: Partial<CostGuard['spec']>): CostGuard =>
  ({ apiVersion: 'costguard.io/v1alpha1', kind: 'CostGuard', metadata: { namespace, name: 'g' }, spec: { mode: 'Enforce', ...spec } }) as CostGuard;

const everything = {
  scalingGroups: [{ name: 'asg', maxSize: 5 }],
  nodePools: [{ name: 'default', limits: { cpu: '100' } }],
  workloads: [{ kind: 'Deployment' as const, name: 'web', maxReplicas: 3 }],
  aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard-team-a-ops' },
};

describe('tenancy policy', () => {
  it('the default (open) policy refuses nothing', () => {
    const v = applyTenancy(guard('team-a', everything), OPEN_POLICY);
    assert.deepEqual(v.refused, []);
    assert.equal(v.spec.nodePools?.length, 1);
  });

  const strict: TenancyPolicy = { nodePoolNamespaces: ['platform'], awsNamespaces: ['team-a', 'platform'], roleArnPattern: 'arn:aws:iam::123456789012:role/costguard-{namespace}-*' };
  const cases: { name: string; namespace: string; spec: Partial<CostGuard['spec']>; refused: RegExp[]; keeps: string[] }[] = [
    { name: 'a team may not limit cluster NodePools; its other targets stay', namespace: 'team-a', spec: everything, refused: [/spec\.nodePools: namespace team-a may not target NodePools/], keeps: ['scalingGroups', 'workloads'] },
    { name: 'a namespace outside aws-namespaces may not touch AWS', namespace: 'team-b', spec: { ...everything, aws: undefined }, refused: [/NodePools/, /spec\.scalingGroups: namespace team-b may not act on AWS/], keeps: ['workloads'] },
    { name: 'a role outside the namespace\'s pattern is refused', namespace: 'team-a', spec: { ...everything, nodePools: undefined, aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard-team-b-ops' } }, refused: [/spec\.aws\.roleArn: .*team-b-ops is not allowed for namespace team-a/], keeps: ['workloads'] },
    { name: 'the platform namespace may do all of it with its own role', namespace: 'platform', spec: { ...everything, aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard-platform-x' } }, refused: [], keeps: ['scalingGroups', 'nodePools', 'workloads'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = applyTenancy(guard(c.namespace, c.spec), strict);
      assert.equal(v.refused.length, c.refused.length, v.refused.join('\n'));
      c.refused.forEach((re, i) => assert.match(v.refused[i] ?? '', re));
      const kept = (['scalingGroups', 'nodePools', 'workloads'] as const).filter((k) => (v.spec[k]?.length ?? 0) > 0);
      assert.deepEqual(kept, c.keeps);
    });
  }

  it('globs match * only, everything else literally', () => {
    assert.ok(globMatches('arn:aws:iam::*:role/costguard*', 'arn:aws:iam::1:role/costguard-x'));
    assert.ok(!globMatches('arn:aws:iam::1:role/a.b', 'arn:aws:iam::1:role/aXb'));
  });
});
