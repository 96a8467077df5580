import assert from 'node:assert/strict';
import { validateSpec, withDefaults } from '../../../src/api/v1alpha1/index.ts';
import type { ValidationIssue } from '../../../src/api/v1alpha1/index.ts';
import { INVALID_CASES, OPERATOR_ONLY_CASES, specWith, validSpec } from './fixtures.ts';

const show = (issues: ValidationIssue[]): string => issues.map((i) => `${i.path}: ${i.message}`).join('\n');

describe('api/v1alpha1 validateSpec', () => {
  it('accepts the full fixture spec', () => {
    assert.deepEqual(validateSpec(validSpec()), []);
  });

  it('accepts a minimal spec: one target, defaults for the rest', () => {
    assert.deepEqual(validateSpec({ workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 3 }] }), []);
  });

  it('rejects a non-object spec at the root', () => {
    assert.deepEqual(validateSpec('nope').map((i) => i.path), ['spec']);
    assert.deepEqual(validateSpec(null).map((i) => i.path), ['spec']);
  });

  describe('rejects what the API server rejects, naming the field', () => {
    for (const c of INVALID_CASES) {
      it(c.name, () => {
        const issues = validateSpec(specWith(c.set));
        const hit = issues.find((i) => i.path === c.path && (c.says === undefined || c.says.test(i.message)));
        assert.ok(hit, `expected an issue at ${c.path} matching ${String(c.says)}, got:\n${show(issues)}`);
      });
    }
  });

  describe('rejects what needs arithmetic CEL cannot do', () => {
    for (const c of OPERATOR_ONLY_CASES) {
      it(c.name, () => {
        const issues = validateSpec(specWith(c.set));
        assert.ok(issues.some((i) => i.path === c.path && (c.says?.test(i.message) ?? true)), show(issues));
      });
    }
  });

  it('reports a missing required field once, as "Required value"', () => {
    const issues = validateSpec(specWith({ 'scalingGroups.0.maxSize': undefined }));
    assert.deepEqual(issues, [{ path: 'spec.scalingGroups[0].maxSize', message: 'Required value' }]);
  });

  it('names map entries the way the API server does', () => {
    const issues = validateSpec(specWith({ 'scalingGroups.1.tagSelector.env': 42 }));
    assert.deepEqual(issues.map((i) => i.path), ['spec.scalingGroups[1].tagSelector[env]']);
  });

  it('lists the supported values of an enum', () => {
    const [issue] = validateSpec(specWith({ mode: 'enforce' }));
    assert.deepEqual(issue, { path: 'spec.mode', message: 'Unsupported value: "enforce": supported values: "DryRun", "Enforce"' });
  });

  it('accepts integer and string quantities, and rejects other shapes', () => {
    assert.deepEqual(validateSpec(specWith({ 'nodePools.0.limits': { cpu: 400, memory: '1.5Ti', nodes: '500m' } })), []);
    const issues = validateSpec(specWith({ 'nodePools.0.limits.cpu': '4 cores' }));
    assert.deepEqual(issues.map((i) => i.path), ['spec.nodePools[0].limits.cpu']);
  });

  it('accepts "0" as a price override (free capacity) but not as a ceiling', () => {
    assert.deepEqual(validateSpec(specWith({ 'scalingGroups.0.pricePerHour': '0' })), []);
  });

  it('allows FIFO queues and non-AWS endpoints (moto, LocalStack) in SQS URLs', () => {
    for (const url of ['https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo', 'http://127.0.0.1:5000/123456789012/orders']) {
      assert.deepEqual(validateSpec(specWith({ 'runaway.signals.sqs.queueUrl': url })), [], url);
    }
  });
});

describe('api/v1alpha1 withDefaults', () => {
  it('fills the documented defaults without mutating its input', () => {
    const input = { workloads: [{ kind: 'Deployment', name: 'web', maxReplicas: 3 }], breaker: {}, runaway: { signals: { workers: {} } }, alerts: {} };
    const before = structuredClone(input);
    const spec = withDefaults(input);
    assert.deepEqual(input, before);
    assert.equal(spec.mode, 'DryRun');
    assert.equal(spec.onDelete, 'Keep');
    assert.deepEqual(spec.breaker, { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeout: '30s', fleetOpenPercent: 50 });
    assert.deepEqual(spec.runaway, { signals: { workers: { metricsPort: 9464, path: '/metrics' } }, window: '30m', retryBudgetPercent: 10, action: 'Alert', cooldown: '15m' });
    assert.deepEqual(spec.alerts, { repeatInterval: '1h' });
  });

  it('keeps values the user set', () => {
    assert.equal(withDefaults(validSpec()).mode, 'Enforce');
    assert.deepEqual(withDefaults(validSpec()), validSpec());
  });
});
