// The generated CRD against a real kube-apiserver: it installs, serves the samples, rejects bad
// specs with errors that name the field, applies defaults, guards status behind its
// subresource, and documents itself through kubectl explain.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CRD_NAME, validateSpec, withDefaults } from '../../../src/api/v1alpha1/index.ts';
import { CRD_FILE } from '../../../src/api/v1alpha1/render.ts';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { testEnv } from '../../harness/env.ts';
import type { CommandResult } from '../../harness/env.ts';
import { costGuard, exampleGuards, INVALID_CASES, OPERATOR_ONLY_CASES, specWith } from '../../unit/api/fixtures.ts';

const ns = `api-crd-${Date.now().toString(36)}`;

function kubectl(...args: string[]): Promise<CommandResult> {
  return testEnv().kubectl(args);
}

/** Server-side apply of one object into the test namespace, as a user would. */
function apply(object: unknown): Promise<CommandResult> {
  const args = ['apply', '--server-side', '--field-manager=api-crd-test', '-n', ns, '-f', '-'];
  return testEnv().kubectl(args, { input: JSON.stringify(object) });
}

async function getGuard(name: string): Promise<Record<string, unknown>> {
  const res = await kubectl('get', 'costguard', name, '-n', ns, '-o', 'json');
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Record<string, unknown>;
}

function expectOk(res: CommandResult): void {
  assert.equal(res.code, 0, `kubectl failed:\n${res.stderr}`);
}

/** kubectl explain reads the published OpenAPI, which lags the CRD by a moment. */
async function explain(field: string): Promise<string> {
  let last: CommandResult = { code: -1, stdout: '', stderr: '' };
  for (let attempt = 0; attempt < 60; attempt++) {
    last = await kubectl('explain', field);
    if (last.code === 0) return last.stdout;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`kubectl explain ${field} kept failing:\n${last.stderr}`);
}

const status = {
  observedGeneration: 1,
  effectiveMode: 'Paused',
  conditions: [
    { type: 'Ready', status: 'True', reason: 'Guarding', message: 'All ceilings hold.', lastTransitionTime: '2025-01-01T00:00:00Z' },
  ],
  cost: { estimatedHourly: '3.20', worstCaseHourly: '8.00' },
  runaway: { state: 'Normal', score: 3, evidence: ['capacity 4→4 in 30m'] },
  breaker: { state: 'Closed', openReplicas: 0, replicas: 4 },
};

describe('CostGuard CRD on a real API server', () => {
  before(async function () {
    this.timeout(120_000);
    expectOk(await kubectl('apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, CRD_FILE)));
    expectOk(await kubectl('wait', '--for=condition=Established', `crd/${CRD_NAME}`, '--timeout=60s'));
    expectOk(await kubectl('create', 'namespace', ns));
  });

  after(async () => {
    await kubectl('delete', 'namespace', ns, '--wait=false');
  });

  it('is Established and accepted by the API server (structural, CEL within cost)', async () => {
    const res = await kubectl('get', 'crd', CRD_NAME, '-o', 'json');
    expectOk(res);
    const crd = JSON.parse(res.stdout) as { status: { conditions: { type: string; status: string; message: string }[] } };
    const byType = new Map(crd.status.conditions.map((c) => [c.type, c]));
    assert.equal(byType.get('Established')?.status, 'True');
    assert.equal(byType.get('NamesAccepted')?.status, 'True');
    assert.notEqual(byType.get('NonStructuralSchema')?.status, 'True', byType.get('NonStructuralSchema')?.message);
  });

  it('accepts the full fixture spec and stores it as validateSpec expects', async () => {
    expectOk(await apply(costGuard('full')));
    assert.deepEqual((await getGuard('full')).spec, withDefaults(costGuard('full').spec));
  });

  describe('accepts every sample in examples/', () => {
    for (const { file, object } of exampleGuards()) {
      it(file, async () => {
        expectOk(await apply(object));
        const name = (object.metadata as { name: string }).name;
        const stored = await getGuard(name);
        assert.deepEqual(stored.spec, withDefaults(object.spec));
      });
    }
  });

  describe('rejects invalid specs, naming the field', () => {
    for (const [i, c] of INVALID_CASES.entries()) {
      it(c.name, async () => {
        const spec = specWith(c.set);
        const res = await apply(costGuard(`invalid-${i}`, spec));
        assert.notEqual(res.code, 0, `accepted: ${c.name}`);
        assert.ok(res.stderr.includes(c.path), `error does not name ${c.path}:\n${res.stderr}`);
        if (c.says) assert.match(res.stderr, c.says);
        // The same input fails validateSpec at the same path: the TypeScript twins agree.
        assert.ok(validateSpec(spec).some((issue) => issue.path === c.path), `validateSpec misses ${c.path}`);
      });
    }
  });

  describe('accepts what only the operator can check (validateSpec reports it)', () => {
    for (const [i, c] of OPERATOR_ONLY_CASES.entries()) {
      it(c.name, async () => {
        expectOk(await apply(costGuard(`operator-only-${i}`, specWith(c.set))));
      });
    }
  });

  it('applies defaults: mode DryRun, onDelete Keep, breaker and runaway settings', async () => {
    const spec = {
      workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 3 }],
      breaker: {},
      runaway: { signals: { workers: {} } },
      alerts: {},
    };
    expectOk(await apply(costGuard('defaults', spec)));
    const stored = (await getGuard('defaults')).spec as Record<string, unknown>;
    assert.equal(stored.mode, 'DryRun');
    assert.equal(stored.onDelete, 'Keep');
    assert.deepEqual(stored, withDefaults(spec));
  });

  it('writes status only through the status subresource', async () => {
    expectOk(await apply(costGuard('status-guard', { workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 3 }] })));
    const patch = JSON.stringify({ status });

    expectOk(await kubectl('patch', 'costguard', 'status-guard', '-n', ns, '--type=merge', '-p', patch));
    assert.equal((await getGuard('status-guard')).status, undefined, 'status written through the main resource');

    expectOk(await kubectl('patch', 'costguard', 'status-guard', '-n', ns, '--type=merge', '--subresource=status', '-p', patch));
    assert.deepEqual((await getGuard('status-guard')).status, status);
  });

  it('validates status too: an unknown runaway state is rejected', async () => {
    const bad = JSON.stringify({ status: { runaway: { state: 'Panicking' } } });
    const res = await kubectl('patch', 'costguard', 'status-guard', '-n', ns, '--type=merge', '--subresource=status', '-p', bad);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /status\.runaway\.state: Unsupported value: "Panicking"/);
  });

  it('prints the printer columns, with MODE from status.effectiveMode and Ready from the Ready condition', async () => {
    const res = await kubectl('get', 'cg', 'status-guard', '-n', ns);
    expectOk(res);
    const [header = '', row = ''] = res.stdout.trim().split('\n');
    assert.deepEqual(header.split(/\s+/), ['NAME', 'MODE', '$/H', 'WORST$/H', 'RUNAWAY', 'BREAKER', 'READY', 'AGE']);
    assert.deepEqual(row.split(/\s+/).slice(0, 7), ['status-guard', 'Paused', '3.20', '8.00', 'Normal', 'Closed', 'True']);
  });

  it('is found by its short name and its category', async () => {
    const resources = await kubectl('api-resources', '--categories=costguard', '-o', 'name');
    expectOk(resources);
    assert.deepEqual(resources.stdout.trim().split('\n'), ['costguards.costguard.io']);
    const short = await kubectl('get', 'cg', '-n', ns, '-o', 'name');
    expectOk(short);
    assert.match(short.stdout, /costguard\.costguard\.io\/status-guard/);
  });

  it('explains itself: kubectl explain costguard.spec.scalingGroups', async () => {
    const out = await explain('costguard.spec.scalingGroups');
    assert.match(out, /EC2 Auto Scaling groups to cap/);
    assert.match(out, /maxSize\s+<integer> -required-/);
    assert.match(out, /Hard ceiling for MaxSize and DesiredCapacity/);
    assert.match(out, /tagSelector\s+<map\[string\]string>/);
  });
});
