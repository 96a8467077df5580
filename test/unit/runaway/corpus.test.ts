// The detector over the whole labelled corpus: every runaway within 120 s of its onset at 30 s
// sampling, no normal trace ever called a runaway. The corpus is what the generator writes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../../../hack/traces/main.ts';
import { SCENARIOS } from '../../../hack/traces/scenarios.ts';
import { replay } from '../../../src/controllers/runaway/replay.ts';
import { parseTrace } from '../../../src/signals/trace.ts';

const dir = join(import.meta.dirname, '..', '..', 'traces');
const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
const opts = { windowSeconds: 1800, retryBudgetPercent: 10, intervalSeconds: 30 };

describe('runaway detector on the trace corpus', () => {
  it('has at least 16 labelled traces, runaways and normal ones', () => {
    assert.ok(files.length >= 16, `${files.length} traces`);
    const labels = files.map((f) => parseTrace(readFileSync(join(dir, f), 'utf8')).label?.kind);
    assert.ok(labels.every((l) => l !== undefined));
    assert.ok(labels.filter((l) => l === 'runaway').length >= 8);
    assert.ok(labels.filter((l) => l === 'normal').length >= 8);
  });

  for (const f of files) {
    const trace = parseTrace(readFileSync(join(dir, f), 'utf8'));
    const label = trace.label!;
    if (label.kind === 'runaway') {
      it(`${f}: flags the loop within 120 s of its onset at ${label.onset} s`, () => {
        const r = replay(trace.samples, opts);
        assert.equal(r.verdict, 'runaway');
        const delay = r.firstAlertT! - label.onset;
        assert.ok(delay >= 0 && delay <= 120, `first alert at ${r.firstAlertT}, onset ${label.onset}`);
        const first = r.changes.find((c) => c.verdict.state === 'runaway')!;
        assert.match(first.verdict.evidence.join('\n'), /(deletes|successes) per (instance|unit of capacity) −\d+ %/);
        assert.match(first.verdict.evidence.join('\n'), /^capacity \d+→\d+ \(\+\d+ %\) in /m);
      });
    } else {
      it(`${f}: never calls it a runaway`, () => {
        const r = replay(trace.samples, opts);
        assert.equal(r.verdict, 'normal', JSON.stringify(r.changes.map((c) => [c.t, c.verdict.state, c.verdict.evidence])));
      });
    }
  }

  it('reports the downstream outage as downstream, with the open breakers as evidence', () => {
    const trace = parseTrace(readFileSync(join(dir, 'normal-downstream-outage.csv'), 'utf8'));
    const change = replay(trace.samples, opts).changes.find((c) => c.verdict.state === 'downstream');
    assert.ok(change);
    assert.match(change.verdict.evidence.join('\n'), /breaker open on \d+ % of workers/);
  });

  it('is exactly what hack/traces generates (deterministic, seeded)', () => {
    assert.deepEqual(SCENARIOS.map((s) => `${s.name}.csv`).sort(), files);
    for (const s of SCENARIOS) assert.equal(render(s), readFileSync(join(dir, `${s.name}.csv`), 'utf8'), s.name);
  });
});
