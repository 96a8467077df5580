// The chart grants only what the code uses. src/controllers/api-access.ts lists each access with
// the calls that need it; this finds every one of those calls, finds no API call the list does
// not name, and compares the chart's Role and ClusterRole templates with the list.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../../hack/localenv/assets.ts';
import { API_ACCESS, rulesFor, type GrantedBy, type Verb } from '../../../src/controllers/api-access.ts';
import { describeGrants, normalizeRules, withoutResourceNames, type PolicyRule } from '../../integration/chart/manifests.ts';
import { filesUnder } from '../../support/import-graph.ts';

/** What a call of each verb looks like in this code base. */
const CALL_FORM: Record<Verb, RegExp> = {
  get: /\bget[<(]|\/secrets\//,
  list: /\binformer<|resource: Resources\.|workload\(Resources\.|KubeList|\/pods`/,
  watch: /\binformer<|resource: Resources\.|workload\(Resources\./,
  create: /\bcreate[<(]/,
  update: /\breplace[<(]|blockOwnerDeletion/,
  patch: /\bpatch[<(]/,
  delete: /\bdelete[<(]/,
};

/** Lines that call the API server or start an informer. */
const API_CALL = /\brest\.(get|create|patch|replace|update|delete|request)\s*[<(]|\bmanager\.informer<\w+>\(|\bresource: Resources\.|\bworkload\(Resources\./;

/** Generic plumbing whose resource is its caller's: the informers' list and watch. */
const GENERIC = new Set(['src/runtime/informer/informer.ts']);

const TEMPLATES: Record<GrantedBy, string> = {
  ClusterRole: 'clusterrole.yaml',
  'Role (leader election)': 'leader-election-role.yaml',
  'Role (Secrets)': 'secrets-role.yaml',
};

/** The rules of a Role/ClusterRole template, read without Helm: template directives are dropped. */
function templateRules(file: string): PolicyRule[] {
  const text = readFileSync(join(repoRoot, 'charts/costguard/templates', file), 'utf8')
    .replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '')
    .split('\n')
    .filter((l) => !l.includes('{{'))
    .join('\n');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string; rules?: PolicyRule[] } | null)
    .filter((d) => d?.kind === 'Role' || d?.kind === 'ClusterRole')
    .flatMap((d) => d?.rules ?? []);
}

describe('RBAC: every grant is used by the code', () => {
  const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

  for (const access of API_ACCESS) {
    const what = `${access.group || 'core'}/${access.resources.join(',')} ${access.verb}`;
    it(`${what}: its calls are in the code`, () => {
      assert.ok(access.usedBy.length > 0);
      for (const site of access.usedBy) {
        assert.ok(read(site.file).includes(site.call), `${site.file} no longer contains ${site.call}`);
        assert.match(site.call, CALL_FORM[access.verb], `${site.call} is not a ${access.verb}`);
      }
    });
  }

  it('names every API call in src/ (a call without a line here has no grant either)', () => {
    const sites = API_ACCESS.flatMap((a) => a.usedBy);
    const files = filesUnder(join(repoRoot, 'src'), (n) => n.endsWith('.ts')).map((f) => relative(repoRoot, f));
    const unnamed = files
      .filter((f) => !f.startsWith('src/worker/') && !f.startsWith('src/cloud/') && f !== 'src/runtime/kube/rest.ts' && f !== 'src/controllers/api-access.ts' && !GENERIC.has(f))
      .flatMap((f) => read(f).split('\n').map((line, i) => ({ f, line, n: i + 1 })))
      .filter(({ f, line }) => API_CALL.test(line) && !sites.some((s) => s.file === f && line.includes(s.call)))
      .map(({ f, n, line }) => `${f}:${n}: ${line.trim()}`);
    assert.deepEqual(unnamed, []);
  });

  it('finds API calls (the scan itself works)', () => {
    assert.ok(API_CALL.test("await this.deps.rest.create(collectionPath(Resources.configMaps, ns), body);"));
    assert.ok(API_CALL.test("const x = manager.informer<Workload>(Resources.deployments);"));
    assert.ok(!API_CALL.test("const y = map.get(key);"));
  });

  for (const [role, file] of Object.entries(TEMPLATES) as [GrantedBy, string][]) {
    it(`the chart's ${role} grants exactly what the code uses`, () => {
      const chart = describeGrants(withoutResourceNames(normalizeRules(templateRules(file))));
      const code = describeGrants(normalizeRules(rulesFor(role)));
      assert.ok(chart.length > 0, `no rules read from ${file}`);
      assert.deepEqual(chart, code, 'a grant in the chart that no code uses (or a use without its grant)');
    });
  }
});
