// I/O: the daily Cost Explorer cross-check. GetCostAndUsage costs USD 0.01 a call, so answers
// are shared: one call per (account target, tag filter, UTC day) for all guards of the process,
// a failure is not retried for an hour, and status.cost.costExplorer.checkedAt keeps a restart
// from asking again the same day.
import type { CostGuard } from '../../api/v1alpha1/index.ts';
import type { AwsTarget } from '../../cloud/aws/clients.ts';
import type { CostExplorer, DailyAmount } from '../../cloud/cost-explorer.ts';
import { parseMicros } from '../../cloud/pricing/money.ts';
import { parseDuration } from '../../api/v1alpha1/index.ts';
import type { Clock } from '../../runtime/clock.ts';
import { targetKey } from '../targets/group-snapshots.ts';
import { explorerDue, explorerPeriod, judgeExplorer, type DailyCost, type ExplorerVerdict } from './anomaly-decide.ts';

const RETRY_FAILED_MS = 3_600_000;

export class ExplorerCache {
  private readonly answers = new Map<string, { at: number; days: Promise<DailyAmount[]> }>();
  private readonly clock: Clock;
  /** GetCostAndUsage calls made (for tests and the bench). */
  calls = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  daily(explorer: CostExplorer, target: AwsTarget, query: Parameters<CostExplorer['dailyCost']>[0]): Promise<DailyAmount[]> {
    const key = `${targetKey(target)}|${JSON.stringify(query)}`;
    const hit = this.answers.get(key);
    if (hit) return hit.days;
    this.calls++;
    const days = explorer.dailyCost(query);
    const entry = { at: this.clock.now(), days };
    this.answers.set(key, entry);
    days.catch(() => {
      // Keep the failure for an hour (no retry storm on AccessDenied), then forget it.
      setTimeoutOnClock(this.clock, () => this.answers.get(key) === entry && this.answers.delete(key), RETRY_FAILED_MS);
    });
    this.prune();
    return days;
  }

  /** Answers are per UTC day; drop those older than two days. */
  private prune(): void {
    for (const [key, entry] of this.answers) if (this.clock.now() - entry.at > 2 * 86_400_000) this.answers.delete(key);
  }
}

function setTimeoutOnClock(clock: Clock, fn: () => void, ms: number): void {
  const handle = clock.setTimeout(fn, ms);
  if (typeof handle === 'object' && 'unref' in handle) handle.unref();
}

export interface CrossCheckDeps {
  cache: ExplorerCache;
  explorer: CostExplorer;
  target: AwsTarget;
}

/** The day's cross-check when due, else undefined. Failures propagate (the caller reports them). */
export async function crossCheck(deps: CrossCheckDeps, guard: CostGuard, nowMs: number): Promise<ExplorerVerdict | undefined> {
  const anomaly = guard.spec.cost?.anomaly;
  if (!anomaly || !explorerDue(guard.status?.cost?.costExplorer?.checkedAt, nowMs)) return undefined;
  const period = explorerPeriod(nowMs, parseDuration(anomaly.baselineWindow ?? '7d'));
  const days = await deps.cache.daily(deps.explorer, deps.target, { ...period, tags: tagsOf(guard) });
  return judgeExplorer(parseDays(days), anomaly.spendChangePercent ?? 50);
}

/** Cost Explorer is asked for the spend the budget filters on, else the whole account. */
function tagsOf(guard: CostGuard): Readonly<Record<string, readonly string[]>> {
  return guard.spec.cost?.budget?.costFilters?.tags ?? {};
}

function parseDays(days: readonly DailyAmount[]): DailyCost[] {
  return days.flatMap((d) => {
    const micros = amountMicros(d.amount);
    return micros === undefined ? [] : [{ day: d.day, micros }];
  });
}

/** Credits make a day negative (counted as 0); a form we cannot read exactly is left out. */
function amountMicros(amount: string): number | undefined {
  if (amount.trim().startsWith('-')) return 0;
  try {
    return parseMicros(amount);
  } catch {
    return undefined;
  }
}
