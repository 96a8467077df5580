import assert from 'node:assert/strict';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import { applyTenancy, globMatches, OPEN_POLICY, permittedGuard, type TenancyPolicy } from '../../../src/controllers/targets/tenancy.ts';

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

describe('the tenancy boundary: one permitted view every consumer reads', () => {
  const strict: TenancyPolicy = { nodePoolNamespaces: ['platform'], awsNamespaces: ['team-a'], roleArnPattern: 'arn:aws:iam::123456789012:role/costguard-{namespace}-*' };
  const reachesAws: Partial<CostGuard['spec']> = {
    scalingGroups: [{ name: 'prod', maxSize: 1 }],
    workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 3 }],
    runaway: { signals: { sqs: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' } }, window: '30m', retryBudgetPercent: 10, action: 'Freeze', cooldown: '15m' },
    cost: { hourlyCeiling: '5', budget: { monthlyLimit: '300' } },
  };

  it('a namespace refused AWS keeps nothing that reaches AWS: groups, the SQS signal, the budget, the role', () => {
    const v = applyTenancy(guard('team-b', { ...reachesAws, aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard-team-b-x' } }), strict);
    assert.equal(v.aws, false);
    assert.deepEqual(v.refused, ['spec.scalingGroups, spec.runaway.signals.sqs, spec.cost.budget: namespace team-b may not act on AWS (operator setting aws-namespaces)']);
    assert.equal(v.spec.scalingGroups, undefined);
    assert.equal(v.spec.aws, undefined);
    assert.equal(v.spec.runaway?.signals.sqs, undefined);
    assert.equal(v.spec.cost?.budget, undefined);
    assert.equal(v.spec.cost?.hourlyCeiling, '5', 'what does not reach AWS stays');
    assert.equal(v.spec.workloads?.length, 1);
  });

  it('a role outside the pattern is refused with everything that would run under it', () => {
    const v = applyTenancy(guard('team-a', { ...reachesAws, aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard-team-b-x' } }), strict);
    assert.equal(v.aws, false);
    assert.match(v.refused[0]!, /^spec\.aws\.roleArn: .*costguard-team-b-x is not allowed for namespace team-a \(operator setting role-arn-pattern\); not read or written under it: spec\.scalingGroups, spec\.runaway\.signals\.sqs, spec\.cost\.budget$/);
    assert.equal(v.spec.runaway?.signals.sqs, undefined);
  });

  it('is computed once per guard object and policy: every consumer sees the same view', () => {
    const g = guard('team-b', reachesAws);
    assert.equal(applyTenancy(g, strict), applyTenancy(g, strict));
    assert.equal(permittedGuard(g, strict), permittedGuard(g, strict));
    assert.notEqual(permittedGuard(g, strict), g);
    const open = guard('team-a', { workloads: reachesAws.workloads });
    assert.equal(permittedGuard(open, strict), open, 'nothing refused: the guard itself');
  });
});
