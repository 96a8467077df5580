// Which other guards' ceilings apply to the targets one guard observed (peers.ts): only acting
// guards, workloads within the namespace, groups within the AWS account/region, NodePools
// anywhere — and a guard's new holds count at once, although what each guard contributes is
// cached per informer object.
import assert from 'node:assert/strict';
import type { CostGuard, Hold } from '../../../src/api/v1alpha1/index.ts';
import type { AwsTarget } from '../../../src/cloud/aws/clients.ts';
import type { ObservedCeilings } from '../../../src/controllers/targets/observed.ts';
import { PeerIndex, peerCeilings } from '../../../src/controllers/actuator/peers.ts';
import { awsTargetOf } from '../../../src/controllers/resources.ts';
import { permittedGuard } from '../../../src/controllers/targets/tenancy.ts';

const targetOf = (g: CostGuard): AwsTarget => awsTargetOf(g, 'us-east-1');

function guard(name: string, spec: Partial<CostGuard['spec']>, extra: { namespace?: string; annotations?: Record<string, string>; holds?: Hold[]; deleting?: boolean } = {}): CostGuard {
  return {
    apiVersion: 'costguard.io/v1alpha1',
    kind: 'CostGuard',
    metadata: {
      name,
      namespace: extra.namespace ?? 'team',
      uid: `uid-${extra.namespace ?? 'team'}-${name}`,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2026-11-30T00:00:00Z' } : {}),
    },
    spec: { mode: 'Enforce', ...spec },
    ...(extra.holds ? { status: { holds: extra.holds } } : {}),
  } as CostGuard;
}

const observed: ObservedCeilings = {
  groups: [{ spec: { name: 'g', maxSize: 20 }, found: [{ name: 'g', arn: 'arn:g', minSize: 0, maxSize: 20, desiredCapacity: 1, inService: 1, instanceTypes: [], tags: { team: 'a' } }] }],
  workloads: [{ spec: { kind: 'Deployment', name: 'w', maxReplicas: 10 } }],
  nodePools: [{ spec: { name: 'pool', limits: { cpu: '100' } } }],
};

const self = guard('self', { workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 10 }] });
const peersOf = (guards: CostGuard[]) => peerCeilings({ self, guards: [self, ...guards], observed, awsTargetOf: targetOf });

describe('peerCeilings', () => {
  it('counts acting guards on the same targets: workload, group by name or tags, NodePool', () => {
    const peers = peersOf([
      guard('w', { workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 4 }, { kind: 'Deployment', name: 'w', maxReplicas: 2 }] }),
      guard('by-name', { scalingGroups: [{ name: 'g', maxSize: 6 }] }),
      guard('by-tags', { scalingGroups: [{ tagSelector: { team: 'a' }, maxSize: 7 }] }),
      guard('pool', { nodePools: [{ name: 'pool', limits: { cpu: '50' } }] }, { namespace: 'other' }),
    ]);
    assert.deepEqual(peers, [
      { guard: 'team/by-name', target: 'asg/g', value: 6 },
      { guard: 'team/by-tags', target: 'asg/g', value: 7 },
      { guard: 'team/w', target: 'Deployment/w', value: 4 },
      { guard: 'other/pool', target: 'NodePool/pool', limits: { cpu: '50' } },
    ]);
  });

  it('leaves out DryRun, paused and deleting guards, other namespaces for workloads and other regions for groups', () => {
    const w = { workloads: [{ kind: 'Deployment' as const, name: 'w', maxReplicas: 4 }] };
    const peers = peersOf([
      guard('dry', { ...w, mode: 'DryRun' }),
      guard('paused', w, { annotations: { 'costguard.io/paused': 'true' } }),
      guard('deleting', w, { deleting: true }),
      guard('elsewhere', w, { namespace: 'other' }),
      guard('region', { scalingGroups: [{ name: 'g', maxSize: 6 }], aws: { region: 'eu-west-1' } }),
    ]);
    assert.deepEqual(peers, []);
  });

  it('an index kept between reconciles sees a peer’s new hold, pause or deletion at once: a changed guard is a new object', () => {
    const index = new PeerIndex(targetOf);
    const ask = (guards: CostGuard[]) => index.peers(self, [self, ...guards], observed).map((p) => `${p.guard}=${p.value}`);
    const before = guard('w', { workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 4 }] });
    const other = guard('x', { workloads: [{ kind: 'Deployment', name: 'w', maxReplicas: 6 }] });
    assert.deepEqual(ask([before, other]), ['team/w=4', 'team/x=6']);
    assert.deepEqual(ask([before, other]), ['team/w=4', 'team/x=6'], 'the same objects again: the same answer');
    const held = guard('w', before.spec, { holds: [{ owner: 'runaway', target: 'Deployment/w', value: 1, reason: 'brake', since: '2026-11-30T00:00:00Z' }] });
    assert.deepEqual(ask([held, other]), ['team/w=1', 'team/x=6']);
    const paused = guard('w', before.spec, { annotations: { 'costguard.io/paused': 'true' } });
    assert.deepEqual(ask([paused, other]), ['team/x=6']);
    assert.deepEqual(ask([other]), ['team/x=6'], 'a guard gone from the cache is gone from the peers');
    assert.deepEqual(ask([held, other]), ['team/w=1', 'team/x=6']);
  });
});

describe('peers through the tenancy boundary', () => {
  it('a guard refused AWS is no one\'s peer on a group: naming it with maxSize 1 lowers nothing', () => {
    const strict = { nodePoolNamespaces: ['*'], awsNamespaces: ['team'], roleArnPattern: '*' };
    const refused = guard('sneaky', { scalingGroups: [{ name: 'g', maxSize: 1 }] }, { namespace: 'other' });
    const permitted = (g: CostGuard): CostGuard => permittedGuard(g, strict);
    const me = guard('self', { scalingGroups: [{ name: 'g', maxSize: 20 }] });
    const open = peerCeilings({ self: me, guards: [me, refused], observed, awsTargetOf: targetOf });
    assert.deepEqual(open.filter((p) => p.target === 'asg/g').map((p) => [p.guard, p.value]), [['other/sneaky', 1]], 'without the boundary it would bind');
    const bounded = peerCeilings({ self: me, guards: [me, refused], observed, awsTargetOf: targetOf, permitted });
    assert.deepEqual(bounded.filter((p) => p.target === 'asg/g'), []);
  });
});

describe('peers on a group are found by account, not by the role that reached it', () => {
  /** An account lookup that answers what it was told; `learn` is an STS answer arriving. */
  function accounts(told: Record<string, string>) {
    const resolved = new Map<string, string>();
    let generation = 0;
    return {
      of: (t: AwsTarget) => Promise.resolve(told[t.roleArn ?? 'operator'] ?? ''),
      known: (t: AwsTarget) => resolved.get(t.roleArn ?? 'operator') ?? (t.roleArn ? /::(\d{12}):/.exec(t.roleArn)?.[1] : undefined),
      get generation() {
        return generation;
      },
      learn(role: string, account: string) {
        resolved.set(role, account);
        generation += 1;
      },
    };
  }
  const roleA = 'arn:aws:iam::111122223333:role/team-a';
  const roleB = 'arn:aws:iam::111122223333:role/team-b';
  const elsewhere = 'arn:aws:iam::999988887777:role/team-c';
  const me = guard('self', { scalingGroups: [{ name: 'g', maxSize: 30 }], aws: { region: 'us-east-1', roleArn: roleA } });
  const onGroup = (peers: { guard: string; target: string; value?: number }[]) => peers.filter((p) => p.target === 'asg/g').map((p) => `${p.guard}=${p.value}`);

  it('two roles in one account: each guard sees the other; another account is not a peer', () => {
    const b = guard('b', { scalingGroups: [{ name: 'g', maxSize: 10 }], aws: { region: 'us-east-1', roleArn: roleB } }, { namespace: 'team-b' });
    const c = guard('c', { scalingGroups: [{ name: 'g', maxSize: 5 }], aws: { region: 'us-east-1', roleArn: elsewhere } }, { namespace: 'team-c' });
    const ids = accounts({});
    assert.deepEqual(onGroup(peerCeilings({ self: me, guards: [me, b, c], observed, awsTargetOf: targetOf, accounts: ids })), ['team-b/b=10']);
    assert.deepEqual(onGroup(peerCeilings({ self: b, guards: [me, b, c], observed, awsTargetOf: targetOf, accounts: ids })), ['team/self=30']);
    assert.deepEqual(onGroup(peerCeilings({ self: me, guards: [me, b, c], observed, awsTargetOf: targetOf })), [], 'without an account lookup only the same role joins');
  });

  it('the operator\'s own identity joins its account once STS has answered, and a kept index sees it', () => {
    const own = guard('own', { scalingGroups: [{ name: 'g', maxSize: 8 }] }, { namespace: 'ops' });
    const ids = accounts({});
    const index = new PeerIndex(targetOf, (g) => g, ids);
    assert.deepEqual(onGroup(index.peers(me, [me, own], observed)), [], 'unknown account: not joined (never guessed)');
    ids.learn('operator', '111122223333');
    assert.deepEqual(onGroup(index.peers(me, [me, own], observed)), ['ops/own=8']);
    ids.learn('operator', '444455556666');
    assert.deepEqual(onGroup(index.peers(me, [me, own], observed)), [], 'a different account is not a peer');
  });
});
