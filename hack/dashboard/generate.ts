// Writes the incident dashboard (hack/dashboard/dashboard.ts) into the chart as JSON, which
// templates/grafana-dashboard.yaml ships in a ConfigMap for Grafana's dashboard sidecar.
// Run by `make generate`; `make verify` fails when the committed file differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../localenv/assets.ts';
import { DASHBOARD_UID, incidentDashboard } from './dashboard.ts';

export const DASHBOARD_FILE = join(repoRoot, 'charts', 'costguard', 'dashboards', `${DASHBOARD_UID}.json`);

writeFileSync(DASHBOARD_FILE, `${JSON.stringify(incidentDashboard(), null, 2)}\n`);
