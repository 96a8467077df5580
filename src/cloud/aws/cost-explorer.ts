// The CostExplorer port on AWS Cost Explorer: GetCostAndUsage, DAILY, UnblendedCost.
import type { CostExplorerClient, Expression } from '@aws-sdk/client-cost-explorer';
import type { CostExplorer, CostQuery, DailyAmount } from '../cost-explorer.ts';
import { lazy, type AwsClients, type AwsService, type AwsTarget } from './clients.ts';

const sdk = lazy(() => import('@aws-sdk/client-cost-explorer'));

export const COST_EXPLORER: AwsService<CostExplorerClient> = { name: 'ce', create: async (config) => new (await sdk()).CostExplorerClient(config) };

function filterOf(tags: CostQuery['tags']): Expression | undefined {
  const parts: Expression[] = Object.entries(tags).map(([Key, values]) => ({ Tags: { Key, Values: [...values], MatchOptions: ['EQUALS'] } }));
  if (parts.length <= 1) return parts[0];
  return { And: parts };
}

export function awsCostExplorer(clients: AwsClients, target: AwsTarget): CostExplorer {
  return {
    async dailyCost(query: CostQuery): Promise<DailyAmount[]> {
      const [client, { GetCostAndUsageCommand }] = await Promise.all([clients.client(COST_EXPLORER, target), sdk()]);
      const Filter = filterOf(query.tags);
      const out: DailyAmount[] = [];
      let NextPageToken: string | undefined;
      do {
        const page = await clients.call(COST_EXPLORER.name, 'GetCostAndUsage', () =>
          client.send(new GetCostAndUsageCommand({
            TimePeriod: { Start: query.start, End: query.end },
            Granularity: 'DAILY',
            Metrics: ['UnblendedCost'],
            ...(Filter ? { Filter } : {}),
            NextPageToken,
          })),
        );
        for (const r of page.ResultsByTime ?? []) {
          const amount = r.Total?.['UnblendedCost']?.Amount;
          if (r.TimePeriod?.Start && amount !== undefined) out.push({ day: r.TimePeriod.Start.slice(0, 10), amount });
        }
        NextPageToken = page.NextPageToken || undefined;
      } while (NextPageToken);
      return out;
    },
  };
}
