// The Budgets port on AWS Budgets. Calls: CreateBudget, DescribeBudget, DeleteBudget,
// DescribeNotificationsForBudget, CreateNotification, DeleteNotification. UpdateBudget is
// deliberately absent (see controllers/cost/budget-decide.ts).
import type { BudgetsClient, Budget, Notification, Subscriber } from '@aws-sdk/client-budgets';
import { isCloudError } from '../errors.ts';
import type { BudgetReading, Budgets, BudgetSubscriber, BudgetThreshold, CostBudget } from '../budgets.ts';
import type { AccountIds } from './account.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

const sdk = lazy(() => import('@aws-sdk/client-budgets'));
type Sdk = Awaited<ReturnType<typeof sdk>>;

export const BUDGETS: AwsService<BudgetsClient> = { name: 'budgets', create: async (config) => new (await sdk()).BudgetsClient(config) };

function notification(t: BudgetThreshold): Notification {
  return { NotificationType: t.type, ComparisonOperator: 'GREATER_THAN', Threshold: t.percent, ThresholdType: 'PERCENTAGE' };
}

function subscribers(list: readonly BudgetSubscriber[]): Subscriber[] {
  return list.map((s) => ({ SubscriptionType: s.type, Address: s.address }));
}

function toReading(b: Budget): BudgetReading {
  const filters = Object.fromEntries(Object.entries(b.CostFilters ?? {}).map(([k, v]) => [k, [...(v ?? [])]]));
  const actual = b.CalculatedSpend?.ActualSpend?.Amount;
  const forecast = b.CalculatedSpend?.ForecastedSpend?.Amount;
  return {
    name: b.BudgetName ?? '',
    limit: b.BudgetLimit?.Amount ?? '0',
    timeUnit: b.TimeUnit ?? '',
    costFilters: filters,
    ...(actual !== undefined ? { actual } : {}),
    ...(forecast !== undefined ? { forecast } : {}),
  };
}

function toThreshold(n: Notification): BudgetThreshold | undefined {
  if (n.ThresholdType !== undefined && n.ThresholdType !== 'PERCENTAGE') return undefined;
  if (n.NotificationType !== 'ACTUAL' && n.NotificationType !== 'FORECASTED') return undefined;
  return { type: n.NotificationType, percent: n.Threshold ?? 0 };
}

export class AwsBudgets implements Budgets {
  private readonly clients: AwsClients;
  private readonly target: AwsTarget;
  private readonly accounts: AccountIds;

  constructor(clients: AwsClients, target: AwsTarget, accounts: AccountIds) {
    this.clients = clients;
    this.target = target;
    this.accounts = accounts;
  }

  account(): Promise<string> {
    return this.accounts.of(this.target);
  }

  private async send<T>(operation: string, fn: (client: BudgetsClient, AccountId: string, m: Sdk) => Promise<T>): Promise<T> {
    const AccountId = await this.accounts.of(this.target);
    const [client, m] = await Promise.all([this.clients.client(BUDGETS, this.target), sdk()]);
    return this.clients.call(BUDGETS.name, operation, () => fn(client, AccountId, m));
  }

  async get(name: string): Promise<BudgetReading | undefined> {
    try {
      const out = await this.send('DescribeBudget', (c, AccountId, m) => c.send(new m.DescribeBudgetCommand({ AccountId, BudgetName: name })));
      return out.Budget ? toReading(out.Budget) : undefined;
    } catch (err) {
      if (isCloudError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  async create(budget: CostBudget, thresholds: readonly BudgetThreshold[], subs: readonly BudgetSubscriber[]): Promise<void> {
    const Budget: Budget = {
      BudgetName: budget.name,
      BudgetLimit: { Amount: budget.limit, Unit: 'USD' },
      TimeUnit: budget.timeUnit as Budget['TimeUnit'],
      BudgetType: 'COST',
      CostFilters: Object.fromEntries(Object.entries(budget.costFilters).map(([k, v]) => [k, [...v]])),
    };
    const NotificationsWithSubscribers = subs.length ? thresholds.map((t) => ({ Notification: notification(t), Subscribers: subscribers(subs) })) : [];
    await this.send('CreateBudget', (c, AccountId, m) => c.send(new m.CreateBudgetCommand({ AccountId, Budget, NotificationsWithSubscribers })));
  }

  async delete(name: string): Promise<void> {
    try {
      await this.send('DeleteBudget', (c, AccountId, m) => c.send(new m.DeleteBudgetCommand({ AccountId, BudgetName: name })));
    } catch (err) {
      if (!isCloudError(err, 'NotFound')) throw err;
    }
  }

  async thresholds(name: string): Promise<BudgetThreshold[]> {
    const out: BudgetThreshold[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.send('DescribeNotificationsForBudget', (c, AccountId, m) =>
        c.send(new m.DescribeNotificationsForBudgetCommand({ AccountId, BudgetName: name, NextToken })),
      );
      out.push(...(page.Notifications ?? []).flatMap((n) => toThreshold(n) ?? []));
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return out;
  }

  async addThreshold(name: string, threshold: BudgetThreshold, subs: readonly BudgetSubscriber[]): Promise<void> {
    await this.send('CreateNotification', (c, AccountId, m) =>
      c.send(new m.CreateNotificationCommand({ AccountId, BudgetName: name, Notification: notification(threshold), Subscribers: subscribers(subs) })),
    );
  }

  async removeThreshold(name: string, threshold: BudgetThreshold): Promise<void> {
    await this.send('DeleteNotification', (c, AccountId, m) =>
      c.send(new m.DeleteNotificationCommand({ AccountId, BudgetName: name, Notification: notification(threshold) })),
    );
  }
}
