// The chart tests' pure helpers: rendered-output parsing, RBAC normalization, Markdown tables.
import assert from 'node:assert/strict';
import { describeGrants, findOne, kinds, markdownTable, normalizeRules, parseManifests, rbacTable, withoutResourceNames } from '../../integration/chart/manifests.ts';

const rendered = `---
# Source: costguard/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cg
---
# Source: costguard/templates/empty.yaml
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cg }
rules:
  - { apiGroups: [apps], resources: [deployments, statefulsets], verbs: [patch, get] }
`;

const doc = `# Ops

## RBAC

### ClusterRole

Some prose.

| API group | resources | verbs | why |
| --- | --- | --- | --- |
| \`apps\` | \`deployments\`, \`statefulsets\` | \`get\`, \`patch\` | clamp \`spec.replicas\` |
| \`""\` (core) | \`configmaps\` | \`get\` | a \\| pipe |

### Next
| \`x\` | \`y\` | \`z\` | not this table |
`;

describe('chart test helpers', () => {
  describe('parseManifests', () => {
    it('returns one object per non-empty document, in order', () => {
      const objects = parseManifests(rendered);
      assert.deepEqual(kinds(objects), ['ServiceAccount', 'ClusterRole']);
      assert.equal(findOne(objects, 'ClusterRole').metadata.name, 'cg');
    });

    it('fails on a document that is not a Kubernetes object', () => {
      assert.throws(() => parseManifests('just: a map\n'), /not a Kubernetes object/);
    });

    it('fails on invalid YAML', () => {
      assert.throws(() => parseManifests('kind: [unclosed\n'), /invalid YAML/);
    });
  });

  describe('findOne', () => {
    it('fails when a kind is missing or ambiguous', () => {
      const objects = parseManifests(`${rendered}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: { name: other }\n`);
      assert.throws(() => findOne(objects, 'Deployment'), /found 0/);
      assert.throws(() => findOne(objects, 'ServiceAccount'), /found 2/);
      assert.equal(findOne(objects, 'ServiceAccount', 'other').metadata.name, 'other');
    });
  });

  describe('normalizeRules', () => {
    it('expands resources, merges verbs per resource and sorts, however the rules are written', () => {
      const a = normalizeRules([{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['patch', 'get'] }]);
      const b = normalizeRules([
        { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'patch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch', 'get'] },
      ]);
      assert.deepEqual(a, b);
      assert.deepEqual(describeGrants(a), ['apps/deployments: get,patch', 'apps/statefulsets: get,patch']);
    });

    it('keeps resourceNames apart from the whole resource, and can drop them', () => {
      const grants = normalizeRules([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['cg'], verbs: ['update', 'get'] },
      ]);
      assert.deepEqual(describeGrants(grants), ['coordination.k8s.io/leases: create', 'coordination.k8s.io/leases[cg]: get,update']);
      assert.deepEqual(describeGrants(withoutResourceNames(grants)), ['coordination.k8s.io/leases: create,get,update']);
    });

    it('names the core group "core"', () => {
      assert.deepEqual(describeGrants(normalizeRules([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }])), ['core/secrets: get']);
    });
  });

  describe('markdownTable and rbacTable', () => {
    it('reads the body rows of the table under a heading, and only that table', () => {
      const rows = markdownTable(doc, 'ClusterRole');
      assert.equal(rows.length, 2);
      assert.equal(rows[1]?.[3], 'a | pipe');
    });

    it('turns an RBAC table into grants, with `""` as the core group', () => {
      assert.deepEqual(describeGrants(rbacTable(doc, 'ClusterRole')), ['apps/deployments: get,patch', 'apps/statefulsets: get,patch', 'core/configmaps: get']);
    });

    it('fails when the heading or its table is missing', () => {
      assert.throws(() => markdownTable(doc, 'Role'), /heading "Role" not found/);
      assert.throws(() => markdownTable(doc, 'RBAC'), /no table/);
    });
  });
});
