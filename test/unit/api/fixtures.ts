// Fixture builders and the table of invalid specs, shared by the unit tests (validateSpec) and
// the integration tests (a real kube-apiserver), so both are held to the same cases.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { CostGuard, CostGuardSpec } from '../../../src/api/v1alpha1/index.ts';
import { API_VERSION, KIND } from '../../../src/api/v1alpha1/index.ts';

/** A spec that uses every section of the API, valid as is. */
export function validSpec(): CostGuardSpec {
  return {
    mode: 'Enforce',
    onDelete: 'Keep',
    aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/costguard' },
    scalingGroups: [
      { name: 'orders-worker-asg', maxSize: 20, maxScaleOut: { instances: 4, per: '10m' } },
      { tagSelector: { app: 'orders-worker', env: 'prod' }, maxSize: 10 },
    ],
    nodePools: [
      { name: 'default', limits: { cpu: '400', memory: '1600Gi' } },
      { name: 'batch', limits: { nodes: 10 } },
    ],
    workloads: [
      { kind: 'Deployment', name: 'orders-worker', maxReplicas: 30 },
      { kind: 'HorizontalPodAutoscaler', name: 'orders-worker', maxReplicas: 30 },
    ],
    concurrency: { workload: { kind: 'Deployment', name: 'orders-worker' }, fleetMax: 200, perReplicaMax: 16 },
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeout: '30s', fleetOpenPercent: 50 },
    runaway: {
      signals: {
        sqs: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' },
        workers: { metricsPort: 9464, path: '/metrics' },
      },
      window: '30m',
      retryBudgetPercent: 10,
      action: 'Freeze',
      cooldown: '15m',
    },
    cost: {
      hourlyCeiling: '12.00',
      budget: {
        monthlyLimit: '5000',
        notifications: [
          { type: 'FORECASTED', percent: 80 },
          { type: 'ACTUAL', percent: 100 },
        ],
        costFilters: { tags: { app: ['orders-worker'] } },
      },
      anomaly: { spendChangePercent: 50, baselineWindow: '7d' },
    },
    alerts: { slack: { webhookSecretRef: { name: 'slack-webhook', key: 'url' }, mention: '<!here>' }, repeatInterval: '1h' },
  };
}

/** A whole CostGuard around a spec (defaults: validSpec()). No namespace: tests choose one. */
export function costGuard(name: string, spec: unknown = validSpec()): CostGuard {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: spec as CostGuardSpec };
}

/**
 * Sets `value` at a dotted path ("scalingGroups.0.maxSize"); `undefined` deletes the key.
 * Returns the object for chaining. Intermediate objects are created as needed.
 */
export function setPath(root: object, path: string, value: unknown): object {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node = root as Record<string, unknown>;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}

/** validSpec() with each dotted path set (undefined deletes). */
export function specWith(changes: Record<string, unknown>): CostGuardSpec {
  const spec = validSpec();
  for (const [path, value] of Object.entries(changes)) setPath(spec, path, value);
  return spec;
}

export interface InvalidCase {
  name: string;
  /** One patch of validSpec(): dotted path → value (undefined deletes). */
  set: Record<string, unknown>;
  /** The field the error must name, as the API server names it. */
  path: string;
  /** A fragment the message must contain (the API server's and validateSpec's wording agree on it). */
  says?: RegExp;
}

/** Specs both the API server and validateSpec must reject, each naming the field. */
export const INVALID_CASES: readonly InvalidCase[] = [
  { name: 'zero ASG ceiling', set: { 'scalingGroups.0.maxSize': 0 }, path: 'spec.scalingGroups[0].maxSize', says: /greater than or equal to 1/ },
  { name: 'negative ASG ceiling', set: { 'scalingGroups.0.maxSize': -5 }, path: 'spec.scalingGroups[0].maxSize', says: /greater than or equal to 1/ },
  { name: 'zero replica ceiling', set: { 'workloads.0.maxReplicas': 0 }, path: 'spec.workloads[0].maxReplicas', says: /greater than or equal to 1/ },
  { name: 'both name and tagSelector', set: { 'scalingGroups.0.tagSelector': { app: 'x' } }, path: 'spec.scalingGroups[0]', says: /exactly one of name or tagSelector/ },
  { name: 'neither name nor tagSelector', set: { 'scalingGroups.0.name': undefined }, path: 'spec.scalingGroups[0]', says: /exactly one of name or tagSelector/ },
  { name: 'empty tagSelector', set: { 'scalingGroups.1.tagSelector': {} }, path: 'spec.scalingGroups[1].tagSelector', says: /at least 1 properties/ },
  { name: 'duplicate scaling group name', set: { 'scalingGroups.1': { name: 'orders-worker-asg', maxSize: 3 } }, path: 'spec.scalingGroups', says: /names must be unique/ },
  { name: 'unknown mode', set: { mode: 'Yolo' }, path: 'spec.mode', says: /Unsupported value: "Yolo"/ },
  { name: 'maxScaleOut.per not a duration', set: { 'scalingGroups.0.maxScaleOut.per': '10 minutes' }, path: 'spec.scalingGroups[0].maxScaleOut.per', says: /should match/ },
  { name: 'maxScaleOut.per zero', set: { 'scalingGroups.0.maxScaleOut.per': '0m' }, path: 'spec.scalingGroups[0].maxScaleOut.per', says: /positive duration/ },
  { name: 'maxScaleOut.instances zero', set: { 'scalingGroups.0.maxScaleOut.instances': 0 }, path: 'spec.scalingGroups[0].maxScaleOut.instances', says: /greater than or equal to 1/ },
  { name: 'fleetMax < perReplicaMax', set: { 'concurrency.fleetMax': 8 }, path: 'spec.concurrency.fleetMax', says: /fleetMax must be greater than or equal to perReplicaMax/ },
  { name: 'hourlyCeiling not a decimal', set: { 'cost.hourlyCeiling': '12 USD' }, path: 'spec.cost.hourlyCeiling', says: /should match/ },
  { name: 'hourlyCeiling zero', set: { 'cost.hourlyCeiling': '0.00' }, path: 'spec.cost.hourlyCeiling', says: /greater than zero/ },
  { name: 'monthlyLimit zero', set: { 'cost.budget.monthlyLimit': '0' }, path: 'spec.cost.budget.monthlyLimit', says: /greater than zero/ },
  { name: 'unknown workload kind', set: { 'workloads.0.kind': 'CronJob' }, path: 'spec.workloads[0].kind', says: /Unsupported value: "CronJob"/ },
  { name: 'duplicate workload', set: { 'workloads.2': { kind: 'Deployment', name: 'orders-worker', maxReplicas: 5 } }, path: 'spec.workloads', says: /duplicate entries for key \[kind="Deployment",name="orders-worker"\]/ },
  { name: 'duplicate NodePool', set: { 'nodePools.1.name': 'default' }, path: 'spec.nodePools', says: /duplicate entries for key \[name="default"\]/ },
  { name: 'NodePool limit zero', set: { 'nodePools.0.limits.memory': '0Gi' }, path: 'spec.nodePools[0].limits.memory', says: /greater than zero/ },
  { name: 'NodePool limit zero (integer)', set: { 'nodePools.1.limits.nodes': 0 }, path: 'spec.nodePools[1].limits.nodes', says: /greater than zero/ },
  { name: 'NodePool limit negative', set: { 'nodePools.0.limits.cpu': '-4' }, path: 'spec.nodePools[0].limits.cpu' },
  { name: 'NodePool without limits', set: { 'nodePools.0.limits': {} }, path: 'spec.nodePools[0].limits', says: /at least 1 properties/ },
  { name: 'slack secret ref without key', set: { 'alerts.slack.webhookSecretRef.key': undefined }, path: 'spec.alerts.slack.webhookSecretRef.key', says: /Required value/ },
  { name: 'percent over 100', set: { 'breaker.errorThresholdPercentage': 101 }, path: 'spec.breaker.errorThresholdPercentage', says: /less than or equal to 100/ },
  { name: 'budget notification percent zero', set: { 'cost.budget.notifications.0.percent': 0 }, path: 'spec.cost.budget.notifications[0].percent', says: /greater than or equal to 1/ },
  { name: 'bad roleArn', set: { 'aws.roleArn': 'arn:aws:iam::1234:user/bob' }, path: 'spec.aws.roleArn', says: /should match/ },
  { name: 'bad region', set: { 'aws.region': 'us-east' }, path: 'spec.aws.region', says: /should match/ },
  { name: 'negative volumeThreshold', set: { 'breaker.volumeThreshold': -1 }, path: 'spec.breaker.volumeThreshold', says: /greater than or equal to 1/ },
  { name: 'resetTimeout not a duration', set: { 'breaker.resetTimeout': '30' }, path: 'spec.breaker.resetTimeout', says: /should match/ },
  { name: 'unknown runaway action', set: { 'runaway.action': 'Panic' }, path: 'spec.runaway.action', says: /Unsupported value: "Panic"/ },
  { name: 'runaway without signals', set: { 'runaway.signals': {} }, path: 'spec.runaway.signals', says: /at least one signal source/ },
  { name: 'bad SQS queue URL', set: { 'runaway.signals.sqs.queueUrl': 'sqs://orders' }, path: 'spec.runaway.signals.sqs.queueUrl', says: /should match/ },
  { name: 'retry budget over 100', set: { 'runaway.retryBudgetPercent': 150 }, path: 'spec.runaway.retryBudgetPercent', says: /less than or equal to 100/ },
  {
    name: 'no target at all',
    set: { scalingGroups: undefined, nodePools: undefined, workloads: undefined, concurrency: undefined },
    path: 'spec',
    says: /at least one target is required/,
  },
  {
    name: 'Shed with nothing to scale',
    set: { 'runaway.action': 'Shed', workloads: undefined, concurrency: undefined },
    path: 'spec.runaway.action',
    says: /Shed needs workloads or concurrency/,
  },
  { name: 'unknown field (typo)', set: { 'scalingGroups.0.maxsize': 20 }, path: 'spec.scalingGroups[0].maxsize' },
  // Duration bounds are checked at admission too, "d" included: a typo never reaches the operator.
  { name: 'rate-limit period over a day', set: { 'scalingGroups.0.maxScaleOut.per': '25h' }, path: 'spec.scalingGroups[0].maxScaleOut.per', says: /at most 1d/ },
  { name: 'resetTimeout over an hour', set: { 'breaker.resetTimeout': '90m' }, path: 'spec.breaker.resetTimeout', says: /at most 1h/ },
  { name: 'repeatInterval over a week (in days)', set: { 'alerts.repeatInterval': '8d' }, path: 'spec.alerts.repeatInterval', says: /at most 7d/ },
  { name: 'runaway window typo 9000h', set: { 'runaway.window': '9000h' }, path: 'spec.runaway.window', says: /at most 1d/ },
  { name: 'fractional days over the bound', set: { 'cost.anomaly.baselineWindow': '90.5d' }, path: 'spec.cost.anomaly.baselineWindow', says: /at most 90d/ },
  { name: 'days mixed with other units', set: { 'alerts.repeatInterval': '1d12h' }, path: 'spec.alerts.repeatInterval', says: /days stand alone/ },
];

/** Specs the API server accepts but validateSpec rejects: none today (every check has a CEL twin). */
export const OPERATOR_ONLY_CASES: readonly InvalidCase[] = [];

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

/** The CostGuard documents of each YAML file in examples/ (other kinds are skipped). */
export function exampleGuards(): { file: string; text: string; object: Record<string, unknown> }[] {
  return readdirSync(examplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const text = readFileSync(join(examplesDir, file), 'utf8');
      const docs = parseAllDocuments(text).map((d) => d.toJSON() as Record<string, unknown>);
      return docs.filter((o) => o.kind === KIND).map((object) => ({ file, text, object }));
    });
}
