// The per-target gauges the incident dashboard draws: what runs, the spec's ceiling and the
// limit in force, per target; a target gone from status loses its series, and an unknown
// count is no series at all rather than a 0 that reads as "nothing runs".
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { CeilingMetrics, targetFigures } from '../../../src/controllers/ceilings/metrics.ts';

async function series(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.getSingleMetricAsString(name);
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

describe('ceilings target gauges', () => {
  it('sets running, ceiling and limit per target, and drops what left status', async () => {
    const registry = new Registry();
    const m = new CeilingMetrics(registry);
    const status = {
      scalingGroups: [{ name: 'orders', ceiling: 20, maxSize: 8, desired: 8, inService: 8, clamped: true, binding: true }],
      workloads: [{ kind: 'HorizontalPodAutoscaler' as const, name: 'api', ceiling: 30, maxReplicas: 30, clamped: false }],
    };
    m.setTargets('team', 'g', targetFigures(status));
    assert.deepEqual(await series(registry, 'costguard_target_capacity'), ['costguard_target_capacity{namespace="team",name="g",target="asg/orders"} 8']);
    assert.deepEqual(await series(registry, 'costguard_target_limit'), [
      'costguard_target_limit{namespace="team",name="g",target="asg/orders"} 8',
      'costguard_target_limit{namespace="team",name="g",target="HorizontalPodAutoscaler/api"} 30',
    ]);
    m.setTargets('team', 'g', targetFigures({ workloads: status.workloads }));
    assert.deepEqual(await series(registry, 'costguard_target_ceiling'), ['costguard_target_ceiling{namespace="team",name="g",target="HorizontalPodAutoscaler/api"} 30']);
    m.forget('team', 'g');
    assert.deepEqual(await series(registry, 'costguard_target_ceiling'), []);
  });
});
