// The chart's Grafana dashboard is generated (hack/dashboard): the committed JSON must be what
// the code builds, and every query must be one Grafana can run with the dashboard's own
// variables. (Whether each query returns data is checked against a real Prometheus in
// test/integration/prometheus/observability.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../hack/localenv/index.ts';
import { DASHBOARD_UID, incidentDashboard } from '../../../hack/dashboard/dashboard.ts';

const file = join(repoRoot, 'charts', 'costguard', 'dashboards', `${DASHBOARD_UID}.json`);

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
}

describe('chart Grafana dashboard', () => {
  const dashboard = incidentDashboard() as unknown as { panels: Panel[]; templating: { list: { name: string }[] } };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('is committed as generated (run make generate)', () => {
    assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify(incidentDashboard(), null, 2)}\n`);
  });

  it('has the panels an incident needs, each with a query on the chosen Prometheus', () => {
    assert.deepEqual(panels.map((p) => p.title), [
      'Brake', 'Runaway', 'Runaway score', '$/h now', 'Worst case $/h', 'Alerts fired',
      'Capacity vs ceiling and hold', 'Fleet work vs fleet ceiling', 'Brake state', 'Retry share', 'Throughput per instance', '$/h and worst case', 'Alerts sent',
    ]);
    for (const p of panels) {
      assert.ok(p.targets?.length, `${p.title} has queries`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title} datasource`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${datasource}', `${p.title} query datasource`);
    }
  });

  it('numbers panels and refIds uniquely', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.deepEqual(ids, ids.map((_, i) => i + 1));
    for (const p of panels) assert.deepEqual(p.targets?.map((t) => t.refId), p.targets?.map((_, i) => String.fromCharCode(65 + i)), p.title);
  });

  it('uses only its own variables and Grafana\'s built-in ranges in queries', () => {
    const defined = new Set([...dashboard.templating.list.map((v) => v.name), '__rate_interval', '__range']);
    const used = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => [...(t.expr ?? '').matchAll(/\$(\w+)/g)].map((m) => m[1]!))));
    assert.deepEqual([...used].filter((v) => !defined.has(v)), []);
    // Guard series by the guard's namespace and name; worker series by namespace and job.
    for (const p of panels) for (const t of p.targets ?? []) assert.match(t.expr ?? '', /namespace="\$namespace"/, `${p.title}: ${t.expr}`);
  });
});
