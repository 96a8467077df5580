import assert from 'node:assert/strict';
import { kedaHpaName, wantsMore } from '../../../src/controllers/targets/keda-replicas.ts';

describe('where KEDA keeps a ScaledObject\'s replicas', () => {
  it('reads the HPA KEDA named in status.hpaName, and keda-hpa-<name> before KEDA has written it', () => {
    assert.equal(kedaHpaName('orders', { hpaName: 'custom-hpa' }), 'custom-hpa');
    assert.equal(kedaHpaName('orders', {}), 'keda-hpa-orders');
    assert.equal(kedaHpaName('orders', { hpaName: '' }), 'keda-hpa-orders');
    assert.equal(kedaHpaName('orders', undefined), 'keda-hpa-orders');
  });

  it('the HPA wants more only with ScalingLimited True for TooManyReplicas', () => {
    assert.equal(wantsMore({ conditions: [{ type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' }] }), true);
    assert.equal(wantsMore({ conditions: [{ type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas' }] }), false);
    assert.equal(wantsMore({ conditions: [{ type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' }] }), false);
    assert.equal(wantsMore(undefined), false);
  });
});
