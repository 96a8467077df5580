// Set-up for the cost controller against the real API server and moto: an operator with a
// recording Notifier, launch templates, budgets read and written directly, and Cost Explorer
// results queued through moto's API.
import { BudgetsClient, CreateBudgetCommand, DeleteBudgetCommand, DescribeBudgetCommand, DescribeNotificationsForBudgetCommand, type Budget } from '@aws-sdk/client-budgets';
import { AutoScalingClient, CreateAutoScalingGroupCommand, type CreateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import type { CostGuard } from '../../../src/api/v1alpha1/index.ts';
import type { Alert, Notifier } from '../../../src/alerting/notifier.ts';
import { startOperator, type RunningOperator } from '../../../src/cli/operator.ts';
import { testEnv } from '../../harness/env.ts';
import { REGION } from '../cloud/fixtures.ts';
import { testConfig, testLogger } from '../runtime/helpers.ts';

export const ACCOUNT = '123456789012';

export interface Recorded {
  kind: 'fire' | 'resolve';
  guard: string;
  incident: string;
  alert?: Alert;
}

/** A Notifier that remembers every call. */
export class RecordingNotifier implements Notifier {
  readonly calls: Recorded[] = [];

  fire(guard: CostGuard, alert: Alert): Promise<void> {
    this.calls.push({ kind: 'fire', guard: guard.metadata.name ?? '', incident: alert.incident, alert });
    return Promise.resolve();
  }

  resolve(guard: CostGuard, incident: string): Promise<void> {
    this.calls.push({ kind: 'resolve', guard: guard.metadata.name ?? '', incident });
    return Promise.resolve();
  }

  fired(guard: string, incident: string): Alert | undefined {
    return this.calls.find((c) => c.kind === 'fire' && c.guard === guard && c.incident === incident)?.alert;
  }
}

export function startCostOperator(namespace: string, notifier: Notifier): Promise<RunningOperator> {
  return startOperator({
    config: testConfig(namespace, ['--resync-period=1s']),
    kubeConfig: testEnv().kubeConfig,
    defaultRegion: REGION,
    log: testLogger(),
    notifier,
    budgetRefreshMs: 0,
  });
}

export const ec2 = (): EC2Client => new EC2Client({ region: REGION });
export const autoscaling = (): AutoScalingClient => new AutoScalingClient({ region: REGION });
export const budgets = (): BudgetsClient => new BudgetsClient({ region: REGION });

export async function launchTemplate(name: string, instanceType: string): Promise<void> {
  await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: instanceType as _InstanceType } }));
}

export async function group(input: Omit<CreateAutoScalingGroupCommandInput, 'AvailabilityZones'>): Promise<void> {
  await autoscaling().send(new CreateAutoScalingGroupCommand({ AvailabilityZones: [`${REGION}a`], ...input }));
}

export async function readBudget(name: string): Promise<Budget | undefined> {
  try {
    return (await budgets().send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: name }))).Budget;
  } catch (err) {
    if ((err as Error).name === 'NotFoundException') return undefined;
    throw err;
  }
}

/** The budget's notifications as "TYPE/percent", sorted. */
export async function readNotifications(name: string): Promise<string[]> {
  const out = await budgets().send(new DescribeNotificationsForBudgetCommand({ AccountId: ACCOUNT, BudgetName: name }));
  return (out.Notifications ?? []).map((n) => `${n.NotificationType}/${n.Threshold}`).sort();
}

/** Plays AWS recalculating spend: moto takes CalculatedSpend only on CreateBudget, so the budget is recreated with it. */
export async function setSpend(name: string, actual: string, forecast: string): Promise<void> {
  const budget = await readBudget(name);
  if (!budget) throw new Error(`no budget ${name}`);
  await budgets().send(new DeleteBudgetCommand({ AccountId: ACCOUNT, BudgetName: name }));
  const body: Budget = { ...budget };
  delete body.LastUpdatedTime;
  const CalculatedSpend = { ActualSpend: { Amount: actual, Unit: 'USD' }, ForecastedSpend: { Amount: forecast, Unit: 'USD' } };
  await budgets().send(new CreateBudgetCommand({ AccountId: ACCOUNT, Budget: { ...body, CalculatedSpend } }));
}

export async function createForeignBudget(name: string, limit: string): Promise<void> {
  await budgets().send(new CreateBudgetCommand({ AccountId: ACCOUNT, Budget: { BudgetName: name, BudgetLimit: { Amount: limit, Unit: 'USD' }, TimeUnit: 'MONTHLY', BudgetType: 'COST' } }));
}

/** Queues Cost Explorer answers in moto (POST /moto-api/static/ce/cost-and-usage-results). */
export async function queueCostAndUsage(days: { day: string; amount: string }[]): Promise<void> {
  const next = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const result = {
    ResultsByTime: days.map((d) => ({ TimePeriod: { Start: d.day, End: next(d.day) }, Total: { UnblendedCost: { Amount: d.amount, Unit: 'USD' } }, Groups: [], Estimated: false })),
    DimensionValueAttributes: [],
  };
  const res = await fetch(`${testEnv().awsEndpoint}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ results: [result] }),
  });
  if (!res.ok) throw new Error(`queueing Cost Explorer results failed: HTTP ${res.status}`);
}

/** The operator's record of the budgets a guard created (cost/ledger.ts), or undefined when it has none. */
export async function budgetRecord(uid: string): Promise<{ name: string; account: string }[] | undefined> {
  const out = await testEnv().kubectl(['get', 'configmap', `costguard-budgets-${uid}`, '-n', 'costguard-system', '-o', 'jsonpath={.data.budgets\\.json}']);
  if (out.code !== 0) {
    if (/NotFound/.test(out.stderr)) return undefined;
    throw new Error(out.stderr);
  }
  return JSON.parse(out.stdout) as { name: string; account: string }[];
}
