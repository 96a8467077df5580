import assert from 'node:assert/strict';
import { CloudError } from '../../../src/cloud/errors.ts';
import type { CeilingAction } from '../../../src/controllers/actuator/plan.ts';
import { fingerprintOf, isRefusal, nextRefusals, REFUSAL_RETRY_MS, withholdRefused, type Refusal } from '../../../src/controllers/actuator/refusals.ts';
import { KubeApiError } from '../../../src/runtime/errors.ts';

const T0 = Date.UTC(2026, 11, 7, 11);
const clamp = (targetSpec: number, to = 10, resourceVersion = '7'): CeilingAction => ({
  kind: 'workload',
  target: 'HorizontalPodAutoscaler/api',
  workload: 'HorizontalPodAutoscaler',
  name: 'api',
  set: { path: 'spec.maxReplicas', to },
  changes: [{ field: 'spec.maxReplicas', from: 50, to, reason: 'AboveCeiling' }],
  annotations: {},
  resourceVersion,
  targetSpec: `spec-${targetSpec}`,
});
const invalid = new KubeApiError(422, 'PATCH …: 422 spec.maxReplicas: Invalid value: 10: must be greater than or equal to minReplicas', 'Invalid');
const cloud = (kind: 'Invalid' | 'Throttled'): CloudError => new CloudError({ kind, service: 'autoscaling', operation: 'UpdateAutoScalingGroup', code: kind === 'Invalid' ? 'ValidationError' : 'Throttling' });

describe('refused writes', () => {
  const cases: { name: string; err: unknown; refusal: boolean }[] = [
    { name: '422 Invalid (a CRD\'s CEL rule, built-in validation)', err: invalid, refusal: true },
    { name: '400 BadRequest', err: new KubeApiError(400, 'bad', 'BadRequest'), refusal: true },
    { name: '409 Conflict: someone wrote first, retry', err: new KubeApiError(409, 'conflict', 'Conflict'), refusal: false },
    { name: '500 from the API server: transient', err: new KubeApiError(500, 'boom'), refusal: false },
    { name: '429 throttled: transient', err: new KubeApiError(429, 'slow down'), refusal: false },
    { name: 'AWS validation error', err: cloud('Invalid'), refusal: true },
    { name: 'AWS throttling', err: cloud('Throttled'), refusal: false },
    { name: 'a plain error (network)', err: new Error('ECONNRESET'), refusal: false },
  ];
  for (const c of cases) it(`${c.name}: ${c.refusal ? 'a refusal' : 'retried'}`, () => assert.equal(isRefusal(c.err), c.refusal));

  const refusedAt = (action: CeilingAction, generation: number, atMs: number): Map<string, Refusal> =>
    new Map([[action.target, { fingerprint: fingerprintOf(action, generation), error: invalid, atMs }]]);

  it('withholds the same write under the same guard generation until REFUSAL_RETRY_MS has passed', () => {
    const memory = refusedAt(clamp(7), 3, T0);
    assert.equal(withholdRefused([clamp(7)], memory, { generation: 3, nowMs: T0 + 1000 }).withheld.length, 1);
    assert.equal(withholdRefused([clamp(7)], memory, { generation: 3, nowMs: T0 + REFUSAL_RETRY_MS - 1 }).send.length, 0);
    assert.deepEqual(withholdRefused([clamp(7)], memory, { generation: 3, nowMs: T0 + REFUSAL_RETRY_MS }).send, [clamp(7)]);
  });

  it('sends again at once when the target changed, the guard changed, or the write is different', () => {
    const memory = refusedAt(clamp(7), 3, T0);
    const at = { generation: 3, nowMs: T0 + 1000 };
    assert.equal(withholdRefused([clamp(8)], memory, at).send.length, 1, 'the target\'s spec changed');
    assert.equal(withholdRefused([clamp(7, 10, '99')], memory, at).withheld.length, 1, 'a status update alone (resourceVersion) is no reason');
    assert.equal(withholdRefused([clamp(7)], memory, { ...at, generation: 4 }).send.length, 1, 'guard spec changed');
    assert.equal(withholdRefused([clamp(7, 12)], memory, at).send.length, 1, 'another value');
  });

  it('an AWS group write refused as invalid is withheld too: the time it was sent is not part of it', () => {
    const group = (clampedAt: string): CeilingAction => ({
      kind: 'asg', target: 'asg/orders', name: 'orders', limits: { maxSize: 20 }, changes: [], record: { original: 40, clamped: 20 }, clearRecord: false, clampedAt,
    });
    const memory = nextRefusals(new Map(), [group('2026-12-07T11:00:00Z')], [{ action: group('2026-12-07T11:00:00Z'), error: cloud('Invalid') }], { generation: 1, nowMs: T0 });
    assert.equal(withholdRefused([group('2026-12-07T11:00:30Z')], memory, { generation: 1, nowMs: T0 + 30_000 }).withheld.length, 1);
  });

  it('remembers a refusal, forgets a target whose write went through, and never remembers a transient failure', () => {
    const at = { generation: 1, nowMs: T0 };
    const refused = nextRefusals(new Map(), [clamp(7)], [{ action: clamp(7), error: invalid }], at);
    assert.deepEqual([...refused.keys()], ['HorizontalPodAutoscaler/api']);
    assert.equal(refused.get('HorizontalPodAutoscaler/api')?.fingerprint, fingerprintOf(clamp(7), 1));
    assert.equal(nextRefusals(refused, [clamp(8)], [], at).size, 0, 'sent and applied');
    assert.equal(nextRefusals(refused, [clamp(8)], [{ action: clamp(8), error: new KubeApiError(500, 'boom') }], at).size, 0, 'a 500 is retried by the queue, not remembered');
    assert.equal(nextRefusals(refused, [], [], at).size, 1, 'withheld: still remembered');
  });
});
