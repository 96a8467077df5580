// The CostGuard incident dashboard, built with Grafana's typed builders
// (@grafana/grafana-foundation-sdk) rather than written as JSON by hand. It answers, for one
// guard, what an on-call engineer asks first: is the brake on, is it a runaway, what does it
// cost now and at worst, are workers retrying, is useful throughput per instance falling, is
// the fleet at its ceiling, and what was announced. `make generate` writes it into the chart
// (hack/dashboard/generate.ts); an integration test runs every panel's query against a real
// Prometheus scraping the operator and real workers, and requires data from each.
import * as common from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DatasourceVariableBuilder, MappingType, QueryVariableBuilder, RowBuilder, VariableRefresh, type Dashboard, type DataSourceRef, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

export const DASHBOARD_UID = 'costguard-incident';

const datasource: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** The guard's own series (the operator labels them with the CostGuard's namespace and name). */
const guard = 'namespace="$namespace", name="$name"';
/** The guard's workers: the costguard/worker library's series in the guard's namespace. */
const workers = 'namespace="$namespace", job=~"$worker_job"';

const query = (expr: string, legend: string): DataqueryBuilder => new DataqueryBuilder().datasource(datasource).expr(expr).legendFormat(legend);

const onOff = (off: string, on: string): ValueMapping[] => [
  { type: MappingType.ValueToText, options: { '0': { text: off, color: 'green', index: 0 }, '1': { text: on, color: 'red', index: 1 } } },
];

function statPanel(title: string, description: string, q: DataqueryBuilder): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(datasource)
    .withTarget(q)
    .height(4)
    .span(4)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
}

function timePanel(title: string, description: string, unit: string, queries: DataqueryBuilder[]): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder().title(title).description(description).datasource(datasource).unit(unit).height(8).span(12).min(0);
  for (const q of queries) p.withTarget(q);
  return p.legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).calcs(['lastNotNull', 'max']));
}

function nowRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('Now'));
  d.withPanel(statPanel('Brake', 'The runaway brake: ceilings held at current capacity (Freeze) or consumers scaled down (Shed).', query(`max(costguard_brake_engaged{${guard}})`, 'brake')).mappings(onOff('Released', 'Engaged')));
  d.withPanel(statPanel('Runaway', 'Whether the detector calls the signals a runaway feedback loop, and how strongly (score 0-100).', query(`max(costguard_runaway_suspected{${guard}})`, 'suspected')).mappings(onOff('No loop', 'Suspected')));
  d.withPanel(statPanel('Runaway score', 'How strongly capacity, retries and throughput per instance match the runaway signature (0-100).', query(`max(costguard_runaway_score{${guard}})`, 'score')).unit('none').max(100));
  d.withPanel(statPanel('$/h now', "CostGuard's live estimate of what the guarded capacity costs per hour.", query(`max(costguard_cost_estimated_hourly_usd{${guard}})`, '$/h')).unit('currencyUSD').colorMode(common.BigValueColorMode.None));
  d.withPanel(statPanel('Worst case $/h', 'What the guarded capacity would cost per hour at every ceiling.', query(`max(costguard_cost_worst_case_hourly_usd{${guard}})`, 'worst case $/h')).unit('currencyUSD').colorMode(common.BigValueColorMode.None));
  d.withPanel(statPanel('Alerts fired', 'Incidents announced as FIRING (Events, and Slack when configured) in the selected time range.', query(`sum(increase(costguard_alerts_fired_total{${guard}}[$__range]))`, 'fired')).unit('none').colorMode(common.BigValueColorMode.None));
}

function capacityRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('Capacity'));
  d.withPanel(
    timePanel('Capacity vs ceiling and hold', 'Per guarded target: what runs (desired capacity, replicas), the ceiling the spec sets, and the limit standing on it now; the limit below the ceiling is a hold (brake, breaker, $ cap) or another guard.', 'none', [
      query(`max by (target) (costguard_target_capacity{${guard}})`, '{{target}} running'),
      query(`max by (target) (costguard_target_ceiling{${guard}})`, '{{target}} ceiling'),
      query(`max by (target) (costguard_target_limit{${guard}})`, '{{target}} limit in force'),
    ]),
  );
  d.withPanel(
    timePanel('Fleet work vs fleet ceiling', 'Work in flight across the fleet against the fleet-wide ceiling the guard publishes; replicas and workers up; the hold (1 while the brake has frozen retries).', 'none', [
      query(`sum(costguard_worker_in_flight{${workers}})`, 'in flight (workers)'),
      query(`max(costguard_concurrency_fleet_in_flight_cap{${guard}})`, 'fleet ceiling'),
      query(`max(costguard_concurrency_replicas{${guard}})`, 'replicas'),
      query(`count(up{${workers}} == 1)`, 'workers up'),
      query(`max(costguard_concurrency_frozen{${guard}})`, 'hold (retries frozen)'),
    ]),
  );
  d.withPanel(
    new statetimeline.PanelBuilder()
      .title('Brake state')
      .description('When the detector suspected a loop, the brake held the targets, a ceiling was binding, and a signal source was failing.')
      .datasource(datasource)
      .height(8)
      .span(12)
      .mappings(onOff('off', 'on'))
      .withTarget(query(`max(costguard_runaway_suspected{${guard}})`, 'runaway suspected'))
      .withTarget(query(`max(costguard_brake_engaged{${guard}})`, 'brake engaged'))
      // The binding series exist only while a ceiling binds: 0 otherwise.
      .withTarget(query(`max(costguard_ceiling_binding{${guard}}) or vector(0)`, 'ceiling binding'))
      .withTarget(query(`max by (source) (costguard_runaway_signal_failing{${guard}})`, '{{source}} failing')),
  );
}

function workersRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('Workers'));
  d.withPanel(
    timePanel('Retry share', 'Retries as a share of all attempts: a storm of retries is half of the runaway signature.', 'percentunit', [
      query(`sum(rate(costguard_worker_retries_total{${workers}}[$__rate_interval])) / sum(rate(costguard_worker_attempts_total{${workers}}[$__rate_interval]))`, 'retries / attempts'),
    ]).max(1),
  );
  d.withPanel(
    timePanel('Throughput per instance', 'Jobs completed per second by each worker, and the fleet average: flat or falling while capacity rises is the other half.', 'reqps', [
      query(`sum by (instance) (rate(costguard_worker_successes_total{${workers}}[$__rate_interval]))`, '{{instance}}'),
      query(`sum(rate(costguard_worker_successes_total{${workers}}[$__rate_interval])) / count(up{${workers}} == 1)`, 'fleet average'),
    ]),
  );
}

function costRow(d: DashboardBuilder): void {
  d.withRow(new RowBuilder('Cost and alerts'));
  d.withPanel(
    timePanel('$/h and worst case', "The live estimate against what every ceiling would allow; the gap is what the ceilings protect.", 'currencyUSD', [
      query(`max(costguard_cost_estimated_hourly_usd{${guard}})`, '$/h now'),
      query(`max(costguard_cost_worst_case_hourly_usd{${guard}})`, 'worst case $/h'),
    ]),
  );
  d.withPanel(
    timePanel('Alerts sent', 'Incidents announced as FIRING, by severity (Kubernetes Events, and Slack when the guard has a webhook).', 'none', [
      query(`sum by (severity) (increase(costguard_alerts_fired_total{${guard}}[$__rate_interval]))`, '{{severity}}'),
    ]),
  );
}

function variables(d: DashboardBuilder): void {
  d.withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  const labelValues = (name: string, label: string, expr: string): QueryVariableBuilder =>
    new QueryVariableBuilder(name).label(label).datasource(datasource).query({ query: expr, refId: 'PrometheusVariableQueryEditor-VariableQuery' }).definition(expr).refresh(VariableRefresh.OnTimeRangeChanged);
  // costguard_runaway_score exists for every guard with a runaway section, the one an incident is about.
  d.withVariable(labelValues('namespace', 'Namespace', 'label_values(costguard_runaway_score, namespace)'));
  d.withVariable(labelValues('name', 'CostGuard', 'label_values(costguard_runaway_score{namespace="$namespace"}, name)'));
  d.withVariable(labelValues('worker_job', 'Worker job', 'label_values(costguard_worker_attempts_total{namespace="$namespace"}, job)').includeAll(true).allValue('.+'));
}

/** The incident dashboard as Grafana's dashboard JSON model. */
export function incidentDashboard(): Dashboard {
  const d = new DashboardBuilder('CostGuard incident')
    .uid(DASHBOARD_UID)
    .tags(['costguard'])
    .description('One CostGuard during an incident: brake, runaway verdict, cost, capacity against its ceiling, worker retries and throughput, alerts.')
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser');
  variables(d);
  nowRow(d);
  capacityRow(d);
  workersRow(d);
  costRow(d);
  return numbered(d.build());
}

/** Stable panel ids and query refIds (A, B, …), so links to a panel and its queries survive regeneration. */
function numbered(dashboard: Dashboard): Dashboard {
  (dashboard.panels ?? []).forEach((panel, i) => {
    panel.id = i + 1;
    if ('targets' in panel) (panel.targets ?? []).forEach((t, j) => ((t as { refId?: string }).refId = String.fromCharCode(65 + j)));
  });
  return dashboard;
}
