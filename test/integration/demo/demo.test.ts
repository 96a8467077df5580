// The README's first command must keep working: run the demo end to end (its own local
// environment, separate from the suite's) and check that it shows what it promises.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, run } from '../../../hack/localenv/index.ts';

describe('make demo', function () {
  this.timeout(180_000);

  it('clamps, reverts drift, reports DryRun findings and cleans up', async () => {
    const res = await run(process.execPath, [join(repoRoot, 'hack', 'demo', 'main.ts'), '--once']);
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    const out = res.stdout;
    assert.match(out, /\[CeilingClamped\] asg\/orders-worker-asg: clamped MaxSize 40 → 20/);
    assert.match(out, /\[CeilingClamped\] HorizontalPodAutoscaler\/orders-worker: clamped spec\.maxReplicas 100 → 30/);
    assert.match(out, /\[WouldClamp\] asg\/ingest-asg: would clamp MaxSize 30 → 16 \(AboveCeiling\) \(DryRun\)/);
    // payments-api-asg is held by its scale-out rate limit, a routine move told in the condition, not an event.
    assert.match(out, /prod-asg-audit: CeilingsEnforced=False \(DryRun\): DryRun: would clamp asg\/ingest-asg, asg\/payments-api-asg\./);
    assert.match(out, /\[DriftReverted\] asg\/orders-worker-asg: MaxSize was raised to 60/);
    assert.match(out, /CeilingReached=True/);
    assert.match(out, /orders-worker-asg +MaxSize 40 → 20, desired 30 → 20 +\(clamped\)/);
    assert.match(out, /ingest-staging-asg +MaxSize 30 → 30, desired 2 → 2 +\(unchanged\)/);
    assert.match(out, /demo: ok/);
  });
});
